// The neuron-level page: its frames (the forward pass one neuron at a time, the loss, the
// backward pass one δ at a time, the parameters' gradients) and its questions are computed in
// Python (autograd_tiny.show.neuron_stepper); this script shows them. A node's cells are its
// last texts (z, a and δ for a neuron, the number for the loss): a frame says what each holds.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("steps-data").textContent);
  var frames = data.frames, LAST = frames.length - 1, current = 0, quiz = null;
  var equation = document.getElementById("equation"), counter = document.getElementById("counter");
  var graph = autogradTiny.drawing(data, function () { if (quiz) quiz.focus(); });

  function paint(cells, marks, flows, follow) {
    // Write each node's cells, then mark the nodes and edges this frame is about.
    Object.keys(cells).forEach(function (id) {
      var group = document.getElementById(id);
      var texts = group ? group.getElementsByTagName("text") : [];
      var values = cells[id];
      for (var i = 0; i < values.length && texts.length >= values.length; i++) {
        texts[texts.length - values.length + i].textContent = values[i];
      }
    });
    graph.clearMarks();
    (marks || []).forEach(function (pair) { graph.mark(pair[0], pair[1]); });
    (flows || []).forEach(function (id) { graph.flow(id); });
    if (follow) graph.follow(follow);
  }

  function show(frame) {
    current = Math.max(0, Math.min(LAST, frame));
    var f = frames[current];
    paint(f.cells, f.marks, f.flows, f.follow);
    equation.textContent = (current === LAST && quiz ? quiz.score() : "") + f.text;
    counter.textContent = f.counter;
  }

  var player = {
    show: function (question, state) {
      // The question's neuron on the graph, with every answer revealed so far.
      var cells = JSON.parse(JSON.stringify(data.blank));
      Object.keys(state.revealed).forEach(function (key) {
        var pair = state.revealed[key];
        cells[pair[0]][pair[1]] = pair[2];
      });
      paint(cells, question.marks, question.flows, question.follow);
    },
    reveal: function (question, state) {
      question.reveal.forEach(function (item) { state.revealed[item[0] + " " + item[1]] = item; });
    },
    finish: function () { show(LAST); },
  };

  graph.fit();
  if (data.quiz) {
    quiz = autogradTiny.quiz(data.questions, player);
    quiz.restart(true);
  } else {
    autogradTiny.stepping({show: show, current: function () { return current; }, last: LAST, backward: data.backward});
    show(0);
  }
})();
