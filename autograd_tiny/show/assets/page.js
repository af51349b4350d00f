// What both stepper pages share (the value level, stepper.js, and the neuron level, neurons.js):
// the drawing's marks and flow lines, fit, zoom and pan, and the quiz's controls and grading.
// Each page's own script says what a frame shows and what a question reveals.
var autogradTiny = (function () {
  "use strict";

  // ------------------------------------------------------------------ the drawing

  function drawing(data, onPanEnd) {
    var svg = document.querySelector("#graph svg"), graphBox = document.getElementById("graph");
    // Inside a notebook (a frame), the wheel must scroll the notebook, never get caught by the
    // graph's own scrolling: there the graph pans by dragging only (its style: overflow hidden).
    if (window.parent !== window) graphBox.classList.add("embedded");
    var ns = svg.namespaceURI;  // the SVG namespace, read from the drawing
    var overlay = document.createElementNS(ns, "g");
    document.getElementById("graph0").appendChild(overlay);
    addArrowMarker();

    function addArrowMarker() {
      // An arrowhead at the start of a flow line, turned to point backward (toward the parent).
      var defs = document.createElementNS(ns, "defs"), marker = document.createElementNS(ns, "marker");
      marker.setAttribute("id", "flow-arrow");
      marker.setAttribute("viewBox", "0 0 10 10");
      marker.setAttribute("refX", "2"); marker.setAttribute("refY", "5");
      marker.setAttribute("markerWidth", "4"); marker.setAttribute("markerHeight", "4");
      marker.setAttribute("orient", "auto-start-reverse");
      var head = document.createElementNS(ns, "path");
      head.setAttribute("d", "M0,0 L10,5 L0,10 z");
      head.setAttribute("fill", "#dc2626");
      marker.appendChild(head); defs.appendChild(marker); svg.insertBefore(defs, svg.firstChild);
    }

    var MARKS = ["computed", "computed-edge", "current", "current-node", "upstream", "updated", "summary"];

    function mark(id, cls) {
      var element = id && document.getElementById(id);
      if (element) element.classList.add(cls);
    }

    function clearMarks() {
      document.querySelectorAll("." + MARKS.join(", .")).forEach(function (element) {
        MARKS.forEach(function (cls) { element.classList.remove(cls); });
      });
      while (overlay.firstChild) overlay.removeChild(overlay.firstChild);
    }

    function flow(id) {
      // A dashed copy of the edge, on top, its dashes running from the arrow's head to its tail.
      var path = document.querySelector("#" + id + " path");
      if (!path) return;
      var line = path.cloneNode(false);
      line.removeAttribute("stroke"); line.setAttribute("class", "flow");
      overlay.appendChild(line);
    }

    function follow(id) {
      // Zoomed in (or scrolled), the frame scrolls to what this step is about when it is out of sight.
      var element = document.getElementById(id);
      if (!element) return;
      var box = element.getBoundingClientRect(), frame = graphBox.getBoundingClientRect();
      var cx = (box.left + box.right) / 2, cy = (box.top + box.bottom) / 2;
      if (cx < frame.left || cx > frame.right) graphBox.scrollLeft += cx - (frame.left + frame.right) / 2;
      if (cy < frame.top || cy > frame.bottom) graphBox.scrollTop += cy - (frame.top + frame.bottom) / 2;
    }

    // -------------------------------------------------------------- fit, zoom and pan

    // The drawing keeps its whole viewBox; zooming changes its size on the screen, and the graph's
    // frame scrolls (overflow: auto), so every part of a zoomed drawing can be reached: by the
    // scroll bars, by dragging, or by the wheel. The wheel itself scrolls (inside a notebook it
    // scrolls the notebook once the frame has nothing left to scroll); Ctrl+wheel and the
    // buttons zoom.
    var box0 = svg.viewBox.baseVal, full = {width: box0.width, height: box0.height};
    var MAX_SCALE = __MAX_SCALE__;  // CSS px per point: a tiny graph is not blown up past this
    var MIN_LABEL_PX = __MIN_LABEL_PX__;  // fit never shows a label smaller than this: the frame scrolls
    var tooSmall = document.getElementById("too-small");
    var scale = 1;
    // The smallest label's font size in points: at `scale` px per point it is drawn that many px tall.
    var smallestFont = Array.prototype.reduce.call(svg.querySelectorAll("text"), function (least, text) {
      var size = parseFloat(text.getAttribute("font-size"));
      return size > 0 && size < least ? size : least;
    }, Infinity);
    // (A hair over, so rounding in the browser never draws a label at 13.99 px.)
    var legible = smallestFont < Infinity ? MIN_LABEL_PX / smallestFont * 1.001 : 0;

    function setScale(next) {
      scale = next;
      svg.setAttribute("width", full.width * scale);
      svg.setAttribute("height", full.height * scale);
    }

    function fit() {
      // The graph takes the window's height left over by the controls, the panel and the legend,
      // and the largest scale at which the whole drawing fits there, but never less than the scale
      // whose smallest label is MIN_LABEL_PX tall: a graph too big for that is scrolled, and the
      // page says so.
      var whole = wholeScale();
      tooSmall.textContent = whole < legible ? data.tooSmall : "";
      if (whole < legible) wholeScale();  // the sentence took some of the room: size the frame again
      setScale(Math.max(whole, legible));
      graphBox.scrollLeft = 0; graphBox.scrollTop = 0;
    }

    function wholeScale() {
      // Size the graph's frame to the room left, and return the scale at which all of the drawing fits in it.
      var legend = document.getElementById("legend").getBoundingClientRect().height;
      var top = graphBox.getBoundingClientRect().top + window.scrollY;
      var room = Math.max(200, window.innerHeight - top - legend - 14);
      graphBox.style.height = room + "px";
      return Math.min(graphBox.clientWidth / full.width, room / full.height, MAX_SCALE);
    }

    function zoom(factor, clientX, clientY) {
      // Zoom about a point on the screen (the frame's centre by default): factor > 1 zooms in.
      var frame = graphBox.getBoundingClientRect(), before = svg.getBoundingClientRect();
      if (clientX === undefined) { clientX = (frame.left + frame.right) / 2; clientY = (frame.top + frame.bottom) / 2; }
      // The point of the drawing under (clientX, clientY), as a fraction of the drawing's size.
      var fx = (clientX - before.left) / before.width, fy = (clientY - before.top) / before.height;
      setScale(Math.min(MAX_SCALE * 4, Math.max(legible / 8, scale * factor)));
      var after = svg.getBoundingClientRect();
      graphBox.scrollLeft += after.left + fx * after.width - clientX;
      graphBox.scrollTop += after.top + fy * after.height - clientY;
    }

    graphBox.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return;  // a plain wheel scrolls, as everywhere else
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1.2 : 1 / 1.2, event.clientX, event.clientY);
    }, {passive: false});
    var drag = null;
    graphBox.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      // (No preventDefault here: the click must still focus the page, inside a notebook's frame too,
      // so that the arrow keys reach it.)
      drag = {x: event.clientX, y: event.clientY, left: graphBox.scrollLeft, top: graphBox.scrollTop};
      graphBox.classList.add("panning");
    });
    // A drag pans: it never starts selecting the labels' text (the style says user-select: none too).
    document.addEventListener("selectstart", function (event) { if (drag) event.preventDefault(); });
    window.addEventListener("pointermove", function (event) {
      if (!drag) return;
      graphBox.scrollLeft = drag.left - (event.clientX - drag.x);
      graphBox.scrollTop = drag.top - (event.clientY - drag.y);
    });
    window.addEventListener("pointerup", function () {
      if (!drag) return;
      drag = null; graphBox.classList.remove("panning");
      onPanEnd();
    });
    on("zoom-in", function () { zoom(1.25); });
    on("zoom-out", function () { zoom(1 / 1.25); });
    on("zoom-fit", fit);
    window.addEventListener("resize", fit);
    document.addEventListener("keydown", function (event) {
      if (event.target === document.getElementById("answer")) return;  // typing an answer: keys are text
      var key = event.key;
      if (key === "+" || key === "=") zoom(1.25);
      else if (key === "-") zoom(1 / 1.25);
      else if (key === "0") fit();
      else return;
      event.preventDefault();
    });

    return {mark: mark, clearMarks: clearMarks, flow: flow, follow: follow, fit: fit};
  }

  function on(id, handler) { document.getElementById(id).addEventListener("click", handler); }

  // ------------------------------------------------------------------ grading

  function parseNumber(text) {
    // A typed number: 1.5, -2, .5, 1e-3, with a typographic minus allowed; inf and nan as words.
    var t = text.trim().replace(/\u2212/g, "-").replace(/\s+/g, "");
    if (/^[+-]?(inf|infinity)$/i.test(t)) return t.charAt(0) === "-" ? -Infinity : Infinity;
    if (/^nan$/i.test(t)) return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return null;
    return Number(t);
  }

  function within(typed, accept) {
    // The answers one number accepts, computed in Python (autograd_tiny.show.grading.accepted):
    // an interval [low, high] of finite numbers, or "inf", "-inf", "nan" for themselves only.
    if (accept === "nan") return typed !== typed;
    if (accept === "inf") return typed === Infinity;
    if (accept === "-inf") return typed === -Infinity;
    return typed >= accept[0] && typed <= accept[1];  // false for nan and for ±inf
  }

  function grade(typed, question) {
    // Right, or the first slip whose number the answer matches (null: wrong for no known reason).
    if (within(typed, question.right)) return {correct: true, slip: null};
    for (var i = 0; i < question.slips.length; i++) {
      if (within(typed, question.slips[i].accept)) return {correct: false, slip: question.slips[i]};
    }
    return {correct: false, slip: null};
  }
  window.autogradTinyGrade = grade;  // for the tests, which drive it on Python's table of cases

  // ------------------------------------------------------------------ the quiz

  function quiz(questions, player) {
    // The quiz's controls. `player` says what the page shows: show(question, state) draws a
    // question's frame, reveal(question, state) records what its answer reveals, finish(state)
    // shows the score at the end; state.revealed is the player's to fill.
    var answer = document.getElementById("answer"), feedback = document.getElementById("feedback");
    var hintText = document.getElementById("hinttext"), asked = document.getElementById("asked");
    var hintButton = document.getElementById("hint"), showButton = document.getElementById("show");
    var nextQuestion = document.getElementById("next-question");
    var state = null;

    function setAnswered(answered) {
      // Once a question is answered (or shown), its hint and answer are no use: only "next".
      state.answered = answered;
      hintButton.disabled = answered; showButton.disabled = answered;
      nextQuestion.disabled = !answered;
      answer.readOnly = answered;
    }

    function restart(opening) {
      state = {question: 0, answered: false, revealed: {}, right: 0, shown: 0, wrong: 0, hinted: 0};
      feedback.textContent = ""; feedback.className = "";
      answer.disabled = false;
      // Opening inside a notebook, the quiz takes no focus: the keys stay where the learner is
      // (another stepper, a cell being edited) until they click into it.
      askNext(!(opening && window.parent !== window));
    }

    function askNext(focus) {
      hintText.textContent = "";
      answer.value = ""; answer.classList.remove("wrong");
      if (state.question >= questions.length) {
        answer.disabled = true; hintButton.disabled = true; showButton.disabled = true; nextQuestion.disabled = true;
        player.finish(state);
        return;
      }
      setAnswered(false);
      var question = questions[state.question];
      showQuestion(question);
      document.getElementById("equation").textContent = question.question;
      asked.textContent = question.asked;
      if (focus !== false) answer.focus();
    }

    function showQuestion(question) {
      player.show(question, state);
      document.getElementById("counter").textContent =
        "question " + (state.question + 1) + " of " + questions.length + " \u00b7 score " + state.right;
    }

    function reveal(how) {
      var question = questions[state.question];
      player.reveal(question, state);
      if (how === "right") state.right += 1; else state.shown += 1;
      setAnswered(true);
      answer.classList.remove("wrong");
      showQuestion(question);  // repaint: what the answer reveals appears on the graph
      feedback.className = "right";
      feedback.textContent = (how === "right" ? "\u2713 Right. " : "Answer: ") + question.answer;
      answer.focus();
    }

    function goOn() {
      if (!state.answered) return;
      state.question += 1;
      feedback.textContent = ""; feedback.className = "";
      askNext();
    }

    answer.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || state.question >= questions.length) return;
      event.preventDefault();
      if (state.answered) { goOn(); return; }
      if (answer.value.trim() === "") return;
      var typed = parseNumber(answer.value);
      if (typed === null) {
        feedback.className = "wrong";
        feedback.textContent = "\u201c" + answer.value + "\u201d is not a number: type one such as \u22121.5 or 0.25 (\u2212 or - for minus; inf and nan are words).";
        return;
      }
      var result = grade(typed, questions[state.question]);
      if (result.correct) { reveal("right"); return; }
      state.wrong += 1;
      answer.classList.add("wrong");
      feedback.className = "wrong";
      feedback.textContent = "\u2717 " + answer.value.trim() + " is not right. " +
        (result.slip ? result.slip.message + " Try again." : "Try again (or ask for a hint).");
      answer.select();
    });
    on("hint", function () {
      if (state.answered || state.question >= questions.length) return;
      if (!hintText.textContent) state.hinted += 1;
      hintText.textContent = questions[state.question].hint;
      answer.focus();
    });
    on("show", function () {
      if (!state.answered && state.question < questions.length) reveal("shown");
    });
    on("next-question", function () { goOn(); answer.focus(); });
    on("restart", function () { restart(false); });

    return {
      restart: restart,
      focus: function () { if (!answer.disabled) answer.focus(); },  // the answer box keeps the keys
      score: function () {
        return "Score: " + state.right + " of " + questions.length + " answered right (" + state.wrong + " wrong " +
          (state.wrong === 1 ? "try" : "tries") + ", " + state.hinted + " with a hint, " + state.shown + " shown). ";
      },
    };
  }

  // ------------------------------------------------------------------ stepping

  function stepping(frames) {
    // The buttons and keys that step a page through its frames: `frames` has show(frame),
    // current() and the frames' numbers last and backward (where the backward pass starts).
    var timer = null, playButton = document.getElementById("play");
    function go(frame) { stop(); frames.show(Math.max(0, Math.min(frames.last, frame))); }
    function stop() { if (timer) { clearInterval(timer); timer = null; playButton.innerHTML = "&#9654; play"; } }
    function play() {
      if (timer) { stop(); return; }
      if (frames.current() >= frames.last) frames.show(0);
      playButton.innerHTML = "&#10074;&#10074; pause";
      timer = setInterval(function () {
        if (frames.current() >= frames.last) stop(); else frames.show(frames.current() + 1);
      }, 1200);
    }
    on("first", function () { go(0); });
    on("prev", function () { go(frames.current() - 1); });
    on("next", function () { go(frames.current() + 1); });
    on("to-backward", function () { go(frames.backward); });
    playButton.addEventListener("click", play);
    document.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowRight") go(frames.current() + 1);
      else if (key === "ArrowLeft") go(frames.current() - 1);
      else if (key === "Home") go(0);
      else if (key === "End") go(frames.last);
      else if (key === "b" || key === "B") go(frames.backward);
      else return;
      event.preventDefault();
    });
  }

  return {drawing: drawing, quiz: quiz, stepping: stepping};
})();
