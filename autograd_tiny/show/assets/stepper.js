// The value-level page: one frame per value of the forward pass, one per edge of the backward
// pass, then the inputs' gradients; in quiz mode, a question per edge and per summed gradient.
// (page.js holds what the neuron-level page shares with it: drawing, fit and zoom, the quiz.)
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var steps = data.steps, forward = data.forward, questions = data.questions;
  // The frames: 0 the forward start, 1..F one value each, F+1 the seed, then one per
  // backward step, and last the summary.
  var SEED = forward.length + 1, SUMMARY = SEED + steps.length + 1, LAST = SUMMARY;
  var current = 0, quiz = null, quizState = null;
  var equation = document.getElementById("equation"), counter = document.getElementById("counter");
  var graph = autogradTiny.drawing(data, function () { if (quiz) quiz.focus(); });
  var mark = graph.mark, follow = graph.follow;

  function cells(id) {
    // A value's data and gradient are the last two texts of its group, whatever the label says.
    var group = document.getElementById(id);
    var texts = group ? group.getElementsByTagName("text") : [];
    return texts.length >= 2 ? {data: texts[texts.length - 2], grad: texts[texts.length - 1]} : null;
  }

  // ------------------------------------------------------------------ what each frame shows

  function known(frame) {
    // Values with data, and the gradients known so far (id -> text).
    var dataUpTo = Math.min(frame, forward.length), grads = {};
    if (frame >= SEED) {
      grads[data.root] = data.rootGrad;
      if (data.quiz) {
        for (var id in quizState.revealed) grads[id] = quizState.revealed[id];
      } else {
        for (var i = 0; i < Math.min(frame - SEED, steps.length); i++) grads[steps[i].parent] = steps[i].grad;
      }
    }
    var shown = {};
    for (var k = 0; k < dataUpTo; k++) shown[forward[k].id] = forward[k].data;
    return {data: shown, grads: grads};
  }

  function paint(frame) {
    var now = known(frame);
    data.values.forEach(function (id) {
      var cell = cells(id);
      if (!cell) return;
      cell.data.textContent = "data " + (id in now.data ? now.data[id] : "?");
      cell.grad.textContent = "grad " + (id in now.grads ? now.grads[id] : "?");
    });
    graph.clearMarks();
  }

  function highlightStep(step) {
    mark(step.edge, "current"); mark(step.out, "current"); mark(step.op, "current-node");
    mark(step.node, "upstream"); mark(step.parent, "updated");
    graph.flow(step.out); graph.flow(step.edge);
    follow(step.parent);
  }

  function show(frame) {
    current = Math.max(0, Math.min(LAST, frame));
    paint(current);
    if (current === 0) {
      equation.textContent = data.forwardStart;
      counter.textContent = "forward 0 of " + forward.length;
    } else if (current < SEED) {
      var record = forward[current - 1];
      mark(record.id, "computed"); mark(record.op, "computed");
      record.edges.forEach(function (id) { mark(id, "computed-edge"); });
      follow(record.id);
      equation.textContent = record.text;
      counter.textContent = "forward " + current + " of " + forward.length;
    } else if (current === SEED) {
      mark(data.root, "updated");
      equation.textContent = data.start;
      counter.textContent = "backward 0 of " + steps.length;
    } else if (current < SUMMARY) {
      var step = steps[current - SEED - 1];
      highlightStep(step);
      equation.textContent = step.text;
      counter.textContent = "backward " + (current - SEED) + " of " + steps.length;
    } else {
      showSummary();
    }
  }

  function showSummary() {
    var lines = data.summary.map(function (line) { mark(line.id, "summary"); return line.text; });
    var text = "Gradients of the inputs (each the sum of its contributions):\n" + lines.join("     ");
    equation.textContent = (quiz ? quiz.score() : "") + text;
    counter.textContent = "summary";
  }

  // ------------------------------------------------------------------ the quiz

  var player = {
    show: function (question, state) {
      // The step's edge, or the value whose gradient is asked, on the graph as known so far.
      quizState = state;
      if (question.kind === "step") {
        current = SEED + question.step + 1;
        paint(current);
        highlightStep(steps[question.step]);
      } else {
        current = SUMMARY - 1;
        paint(current);
        mark(question.value, "updated");
        follow(question.value);
      }
    },
    reveal: function (question, state) {
      question.reveal.forEach(function (pair) { state.revealed[pair[0]] = pair[1]; });
    },
    finish: function (state) { quizState = state; show(SUMMARY); },
  };

  graph.fit();
  if (data.quiz) {
    quiz = autogradTiny.quiz(questions, player);
    quiz.restart(true);
  } else {
    autogradTiny.stepping({show: show, current: function () { return current; }, last: LAST, backward: SEED});
    show(0);
  }
})();
