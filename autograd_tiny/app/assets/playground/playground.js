// The playground page: starts Pyodide, unpacks the package's wheels into it, and calls
// autograd_tiny.app.playground (graph_of, stepper_of, TrainingPage). Graphs are drawn by
// viz-global.js, a WebAssembly Graphviz.
//
// The URL's hash holds the exercise and is hostile input: it is read with URLSearchParams,
// checked here (known keys, once each, short; the mode and the hidden parts from fixed lists),
// and everything else goes to Python, which checks it again: the expression to the package's
// safe parser (never eval), the training settings and points to Settings.from_text and
// parse_points. Nothing reaches innerHTML: text is written with textContent, a graph is an SVG
// element viz builds from DOT (draw_dot escapes labels), and the stepper page runs in an iframe
// sandboxed without same-origin (it cannot reach this page).
"use strict";

const TRAINING_KEYS = ["dataset", "net", "act", "opt", "lr", "seed"];
const KEYS = ["expr", "values", "mode", ...TRAINING_KEYS, "add", "steps", "neuron", "sample", "view", "hide"];
const MODES = ["type", "step", "quiz", "train"];
const VIEWS = ["graph", "delta"];
// The parts a teacher's link may hide (key hide=a,b,...): each name, what it hides.
const HIDEABLE = {
  expression: ["type-form"],
  grads: [], // the gradients of the Type panel: drawn and listed without them (the answers)
  numbers: ["numbers"],
  dot: ["dot-source"],
  draw: ["draw"],
  step: ["step"],
  quiz: ["quiz"],
  train: ["train"],
  settings: ["settings"],
  inspector: ["inspector"], // its drawing and δ view are inside it
  link: ["copy-link"],
};
const MAX_TEXT = 1000; // the parser's limit on an expression (expression.MAX_LENGTH)
const MAX_STEPS = 5000; // a link may replay at most this many training steps
const DEFAULTS = { expr: "tanh(a*b + c)", values: "a=2 b=-3 c=10", mode: "type" };
// Training runs in chunks of about CHUNK_MS, yielding to the browser between them, so the page
// answers clicks while it trains; the boundary is redrawn at most every BOUNDARY_MS.
const CHUNK_MS = 40;
const BOUNDARY_MS = 500;
const GRID = 25; // the boundary's grid: GRID × GRID scores (drawn smoothed)
const PLUS = [37, 99, 235]; // class +1: blue
const MINUS = [234, 88, 12]; // class −1: orange

const $ = (id) => document.getElementById(id);
const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
let python = null; // autograd_tiny.app.playground, once Pyodide has started
let viz = null;
let mode = "type";
let hidden = new Set(); // the parts the link hides
let training = null; // a TrainingPage (Python), made when Pyodide has started
// The current run, as the page knows it: what Python answered when it started, plus progress.
let run = null; // {settings, points, bounds, neurons, losses, steps (their count), accuracy, added, sample, ...}
let running = false;
let rate = null; // {since, steps}: for steps per second while running
let lastBoundary = 0;

/** A number as the page writes it: `digits` decimals and the minus sign −. */
function fmt(x, digits = 4) {
  if (x === null || x === undefined) return "—";
  return x.toFixed(digits).replace("-", "\u2212");
}

/** The state a hash holds; an Error whose message says what is wrong. */
function stateFromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { ...DEFAULTS, hide: "" };
  for (const key of new Set(params.keys())) {
    if (!KEYS.includes(key)) {
      throw new Error(`the link has an unknown key ${JSON.stringify(key.slice(0, 40))}; it may hold only ${KEYS.join(", ")}`);
    }
    const given = params.getAll(key);
    if (given.length > 1) throw new Error(`the link gives ${key} ${given.length} times; give it once`);
    const limit = key === "add" ? 20 * MAX_TEXT : MAX_TEXT;
    if (given[0].length > limit) {
      throw new Error(`the link's ${key} is ${given[0].length} characters long; the limit is ${limit}`);
    }
    state[key] = given[0];
  }
  if (!MODES.includes(state.mode)) {
    throw new Error(`the link's mode ${JSON.stringify(state.mode.slice(0, 40))} is not one of ${MODES.join(", ")}`);
  }
  const parts = state.hide ? state.hide.split(",") : [];
  for (const part of parts) {
    if (!(part in HIDEABLE)) {
      throw new Error(`the link hides ${JSON.stringify(part.slice(0, 40))}, which is not one of ${Object.keys(HIDEABLE).join(", ")}`);
    }
  }
  state.hide = new Set(parts);
  if ("steps" in state && !(/^\d{1,5}$/.test(state.steps) && Number(state.steps) <= MAX_STEPS)) {
    throw new Error(`the link's steps ${JSON.stringify(state.steps.slice(0, 40))} is not a whole number from 0 to ${MAX_STEPS}`);
  }
  if ("sample" in state && !/^\d{1,4}$/.test(state.sample)) {
    throw new Error(`the link's sample ${JSON.stringify(state.sample.slice(0, 40))} is not a point's number`);
  }
  if ("view" in state && !VIEWS.includes(state.view)) {
    throw new Error(`the link's view ${JSON.stringify(state.view.slice(0, 40))} is not one of ${VIEWS.join(", ")}`);
  }
  return state;
}

/** The hash that restores the page as it is now. */
function hashOfState() {
  const state = { expr: $("expression").value, values: $("values").value, mode };
  if (run) {
    Object.assign(state, run.settings);
    if (run.added.length) state.add = run.added.map((p) => p.join(",")).join(";");
    if (run.steps) state.steps = String(run.steps);
    if (run.neuron) Object.assign(state, { neuron: run.neuron, sample: String(run.sample), view: run.view });
  }
  const hide = [...teacherChoices()];
  if (hide.length) state.hide = hide.join(",");
  return new URLSearchParams(state).toString();
}

function showError(message, caret = "") {
  const box = $("error");
  box.textContent = caret ? `${message}\n${caret}` : message;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

/** Show the panel of `name` (type, step or train) and mark its button. */
function showPanel(name) {
  for (const panel of ["type", "step", "train"]) $(`${panel}-panel`).hidden = panel !== name;
  $("type-form").hidden = name === "train" || hidden.has("expression");
  for (const button of ["draw", "step", "quiz", "train"]) {
    $(button).setAttribute("aria-pressed", String(button === (mode === "type" ? "draw" : mode)));
  }
  if (name !== "train") pause();
}

// ------------------------------------------------------------------ Type, Step, Quiz

/** Type: the graph after backward(), its numbers, and its DOT; or the parser's error. */
function draw() {
  clearError();
  mode = "type";
  showPanel("type");
  const grads = !hidden.has("grads");
  const result = JSON.parse(python.graph_of($("expression").value, $("values").value, grads));
  if (result.error) {
    $("graph").replaceChildren();
    $("numbers").hidden = true;
    $("dot").textContent = "";
    showError(result.error, result.caret);
    return;
  }
  const svg = viz.renderSVGElement(result.dot);
  $("graph").replaceChildren(svg);
  fitLegibly(svg, $("type-panel").clientWidth);
  $("dot").textContent = result.dot;
  const rows = result.values.map((value) => row([value.name, value.data, value.grad]));
  rows.push(row(["output", result.output.data, result.output.grad]));
  $("numbers").tBodies[0].replaceChildren(...rows);
  $("numbers").querySelector("th.grad").hidden = !grads;
  $("numbers").hidden = hidden.has("numbers");
}

/** Shrink a drawing to `width` where it is wider, but never its labels below 14 px: drawings
 * label at 12 pt (16 px at natural size), so they shrink to 14/16 at most, then scroll. */
function fitLegibly(svg, width) {
  const natural = svg.width.baseVal.value; // CSS px (viz writes points; .value converts)
  svg.style.width = `${Math.min(natural, Math.max(width, (natural * 14) / 16))}px`;
}

/** One row of a table: the texts Python wrote (each float's repr, with the minus sign −). */
function row(texts) {
  const tr = document.createElement("tr");
  for (const text of texts) {
    if (text === undefined) continue; // a hidden gradient
    const cell = document.createElement("td");
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}

/** Step (or, with quiz true, Quiz): the stepper page, drawn by viz, in a sandboxed frame. The
 * quiz asks for each step's contribution and names the slip behind a wrong answer. */
function step(quiz = false) {
  clearError();
  mode = quiz ? "quiz" : "step";
  const render = (dot) => viz.renderString(dot, { format: "svg" });
  const result = JSON.parse(python.stepper_of($("expression").value, $("values").value, render, quiz));
  if (result.error) {
    draw(); // the Type panel says what is wrong, as the command would (and draws nothing)
    return;
  }
  showPanel("step");
  $("stepper").srcdoc = result.page;
}

// ------------------------------------------------------------------ Train

/** The settings fields as text, by the link's keys. */
function settingsFields() {
  const fields = {};
  for (const key of TRAINING_KEYS) fields[key] = $(key).value;
  return fields;
}

/** Start a run with `fields` (the settings fields' text by default): its data, bounds, neurons.
 * A link's settings come as the link wrote them: a select would turn a value it does not offer
 * into "", and the message would not say what the link held. */
function startRun(fields = settingsFields()) {
  pause();
  const result = JSON.parse(training.start(JSON.stringify(fields)));
  if (result.error) {
    run = null;
    showError(result.error);
    drawPlot();
    drawLoss();
    return false;
  }
  clearError();
  const neuron = run ? run.neuron : null;
  run = {
    ...result,
    losses: [], // one per step taken
    get steps() {
      return this.losses.length;
    },
    accuracy: null,
    added: [],
    sample: 0,
    neuron: null,
    view: "graph",
  };
  for (const key of TRAINING_KEYS) $(key).value = result.settings[key];
  const select = $("neuron");
  select.replaceChildren(
    ...result.neurons.map((name) => {
      const option = document.createElement("option");
      option.textContent = name;
      return option;
    }),
  );
  if (neuron && result.neurons.includes(neuron)) select.value = neuron;
  $("neuron-drawing").replaceChildren();
  $("neuron-text").hidden = true;
  $("neuron-caption").textContent = "Pick a neuron, then Graph or δ view: its numbers on the sample (circled).";
  redraw(true);
  return true;
}

/** Train: open the panel; the first time, start a run with the settings fields. */
function openTrain() {
  clearError();
  mode = "train";
  showPanel("train");
  if (!run) startRun();
  else redraw(true);
}

/** Take steps for about CHUNK_MS (at least one); false if training stopped with an error. */
function chunk(limit = Infinity) {
  const started = performance.now();
  let taken = 0;
  do {
    const result = JSON.parse(training.steps(1));
    if (result.error) {
      showError(result.error);
      pause();
      return false;
    }
    run.losses.push(...result.losses);
    run.accuracy = result.accuracy;
    taken += 1;
  } while (performance.now() - started < CHUNK_MS && taken < limit);
  return true;
}

function tick() {
  if (!running) return;
  if (!chunk()) return;
  redraw(performance.now() - lastBoundary > BOUNDARY_MS);
  setTimeout(tick, 0); // yield: the browser paints and handles clicks between chunks
}

function play() {
  if (!run || running) return;
  running = true;
  rate = { since: performance.now(), steps: run.steps };
  $("run").textContent = "Pause";
  setTimeout(tick, 0);
}

function pause() {
  if (!running) return;
  running = false;
  $("run").textContent = "Run";
  if (run) redraw(true);
}

/** Train until step `target`, adding each of a link's points at the step it was added; false
 * (and the error shown) if a point or a step fails. */
async function replay(target, points) {
  const late = points.findIndex((point) => point[3] > target);
  if (late >= 0) {
    showError(`error: the link's added point ${late + 1} comes at step ${points[late][3]}, after the run's last step ${target}`);
    return false;
  }
  let next = 0;
  while (run.steps < target || next < points.length) {
    while (next < points.length && points[next][3] <= run.steps) {
      const [x, y, label, at] = points[next++];
      if (!addPoint(x, y, label, at, false)) return false;
    }
    if (run.steps >= target) continue;
    const stop = Math.min(target, next < points.length ? points[next][3] : target);
    if (!chunk(stop - run.steps)) return false;
    $("status").textContent = `Restoring the link's run: step ${run.steps} of ${target}…`;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  redraw(true);
  return true;
}

/** Add a point of class `label` at (x, y), noting the step it was added at (for the link), and
 * redraw unless `show` is false (a link's replay draws once at the end); false (and the error
 * shown) if Python refuses it. */
function addPoint(x, y, label, at = run.steps, show = true) {
  const result = JSON.parse(training.add(x, y, label));
  if (result.error) {
    showError(result.error);
    return false;
  }
  run.points.push([x, y, label]);
  run.added.push([x, y, label, at]);
  if (show) redraw(!running);
  return true;
}

/** A canvas's 2D context drawing in CSS pixels, its pixels matched to the screen's (sharp
 * on a projector or a high-density screen); returns [context, width, height] in CSS pixels. */
function fitCanvas(canvas) {
  const [width, height] = [canvas.clientWidth, canvas.clientHeight];
  const scale = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(width * scale) || canvas.height !== Math.round(height * scale)) {
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
  }
  const context = canvas.getContext("2d");
  context.setTransform(scale, 0, 0, scale, 0, 0);
  return [context, width, height];
}

/** The plot's pixel (CSS) of a point, and the point of a pixel. */
function toPixel([x, y]) {
  const [x0, x1, y0, y1] = run.bounds;
  const canvas = $("plot");
  return [((x - x0) / (x1 - x0)) * canvas.clientWidth, ((y1 - y) / (y1 - y0)) * canvas.clientHeight];
}

function toPoint(px, py) {
  const [x0, x1, y0, y1] = run.bounds;
  const canvas = $("plot");
  const round = (v) => Math.round(v * 1000) / 1000; // the link writes what Python used
  return [round(x0 + (px / canvas.clientWidth) * (x1 - x0)), round(y1 - (py / canvas.clientHeight) * (y1 - y0))];
}

function clickPlot(event) {
  if (!run) return;
  const canvas = $("plot");
  const box = canvas.getBoundingClientRect();
  const px = ((event.clientX - box.left) / box.width) * canvas.clientWidth;
  const py = ((event.clientY - box.top) / box.height) * canvas.clientHeight;
  const choice = document.querySelector('input[name="click"]:checked').value;
  clearError();
  if (choice !== "pick") {
    addPoint(...toPoint(px, py), Number(choice));
    return;
  }
  let best = null;
  run.points.forEach((point, index) => {
    const [qx, qy] = toPixel(point);
    const distance = Math.hypot(qx - px, qy - py);
    if (distance < 16 && (best === null || distance < best.distance)) best = { index, distance };
  });
  if (best === null) return;
  run.sample = best.index;
  redraw(false);
  if (run.neuron) inspect(run.view);
}

/** Redraw the plot (with a fresh boundary if `boundary`), the loss curve and the status line. */
function redraw(boundary) {
  if (boundary && run) {
    run.scores = JSON.parse(training.boundary(GRID));
    lastBoundary = performance.now();
  }
  drawPlot();
  drawLoss();
  let status = "";
  if (run) {
    const loss = run.losses.length ? fmt(run.losses.at(-1)) : "—";
    const accuracy = run.accuracy === null ? "—" : `${Math.round(run.accuracy * 100)}%`;
    status = `step ${run.steps} · loss ${loss} · accuracy ${accuracy} · ${run.points.length} points`;
    if (running && run.steps > rate.steps) {
      const perSecond = (run.steps - rate.steps) / ((performance.now() - rate.since) / 1000);
      status += ` · ${perSecond.toFixed(0)} steps/s`;
      document.documentElement.dataset.stepsPerSecond = perSecond.toFixed(1);
    }
  }
  $("train-status").textContent = status;
}

/** The points over the model's scores: blue where it says +1, orange where −1, paler near 0. */
function drawPlot() {
  const [context, width, height] = fitCanvas($("plot"));
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  if (!run) return;
  if (run.scores && !run.scores.error) {
    const image = context.createImageData(GRID, GRID);
    run.scores.forEach((score, k) => {
      const color = score === null ? [128, 128, 128] : score > 0 ? PLUS : MINUS;
      const strength = score === null ? 0.5 : Math.min(1, Math.abs(score)) * 0.45;
      for (let c = 0; c < 3; c++) image.data[4 * k + c] = Math.round(255 + (color[c] - 255) * strength);
      image.data[4 * k + 3] = 255;
    });
    const small = document.createElement("canvas");
    small.width = small.height = GRID;
    small.getContext("2d").putImageData(image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, width, height);
  }
  const radius = Math.max(5, width / 90); // larger on a projector's larger plot
  run.points.forEach((point, index) => {
    const [px, py] = toPixel(point);
    context.beginPath();
    context.arc(px, py, radius, 0, 2 * Math.PI);
    context.fillStyle = `rgb(${(point[2] > 0 ? PLUS : MINUS).join(",")})`;
    context.fill();
    context.lineWidth = 1.5;
    context.strokeStyle = "#ffffff";
    context.stroke();
    if (index === run.sample) {
      context.beginPath();
      context.arc(px, py, 2 * radius, 0, 2 * Math.PI);
      context.lineWidth = 2.5;
      context.strokeStyle = "#111827";
      context.stroke();
    }
  });
  context.fillStyle = "#374151";
  context.font = "14px system-ui, sans-serif";
  const [x0, x1, y0, y1] = run.bounds;
  context.fillText(`x from ${fmt(x0, 1)} to ${fmt(x1, 1)}, y from ${fmt(y0, 1)} to ${fmt(y1, 1)}`, 8, height - 8);
}

/** The loss after each step, from 0 to the largest loss, the last step at the right. */
function drawLoss() {
  const [context, width, height] = fitCanvas($("loss-plot"));
  const [left, bottom, top, right] = [48, height - 26, 10, width - 10];
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.strokeStyle = "#9ca3af";
  context.lineWidth = 1;
  context.strokeRect(left, top, right - left, bottom - top);
  context.fillStyle = "#374151";
  context.font = "14px system-ui, sans-serif";
  const losses = run ? run.losses : [];
  const highest = losses.length ? Math.max(...losses) : 1;
  context.fillText(fmt(highest, 2), 4, top + 12);
  context.fillText("0", 30, bottom);
  context.fillText(`loss by step (${losses.length} steps)`, left + 8, height - 6);
  if (losses.length < 2) return;
  context.beginPath();
  losses.forEach((loss, k) => {
    const x = left + (k / (losses.length - 1)) * (right - left);
    const y = bottom - (loss / highest) * (bottom - top);
    if (k === 0) context.moveTo(x, y);
    else context.lineTo(x, y);
  });
  context.strokeStyle = "#111827";
  context.lineWidth = 2;
  context.stroke();
}

/** The chosen neuron on the sample: its own graph (view "graph") or its δ view ("delta"). */
function inspect(view) {
  if (!run) return false;
  const name = $("neuron").value;
  const result = JSON.parse(training.neuron(run.sample, name));
  if (result.error) {
    showError(result.error);
    return false;
  }
  clearError();
  Object.assign(run, { neuron: name, view });
  const [x, y, label] = result.point;
  $("neuron-caption").textContent =
    `${name} on point ${run.sample} (${fmt(x, 3)}, ${fmt(y, 3)}), class ${label > 0 ? "+1" : "−1"}, ` +
    `after ${result.steps} steps. C = max(0, 1 − y·score) = ${fmt(result.loss)} is this point's loss: ` +
    "the training loss averages these and adds the L2 penalty." +
    (view === "graph" ? " An input from an earlier neuron shows ∂C/∂a summed over every neuron that uses it." : "");
  if (view === "graph") {
    $("neuron-drawing").replaceChildren(viz.renderSVGElement(result.dot));
    $("neuron-text").hidden = true;
  } else {
    $("neuron-drawing").replaceChildren();
    $("neuron-text").textContent = result.text;
    $("neuron-text").hidden = false;
  }
  return true;
}

// ------------------------------------------------------------------ the link

/** The parts the teacher's box hides. */
function teacherChoices() {
  const chosen = new Set(hidden);
  for (const box of $("hide-choices").querySelectorAll("input")) {
    if (box.checked) chosen.add(box.value);
    else chosen.delete(box.value);
  }
  return chosen;
}

/** Hide the parts in `parts` (and show the others). */
function applyHidden(parts) {
  hidden = parts;
  for (const [name, ids] of Object.entries(HIDEABLE)) {
    for (const id of ids) $(id).classList.toggle("hidden-by-link", parts.has(name));
  }
}

/** Copy link: the hash gets the state; the link is shown (and copied where allowed). */
function copyLink() {
  const url = new URL(window.location.href);
  url.hash = hashOfState();
  history.replaceState(null, "", url.href);
  $("link").value = url.href;
  $("link").hidden = false;
  $("link").select();
  const done = () => ($("status").textContent = "Link copied: paste it anywhere to open this exercise.");
  const shown = () => ($("status").textContent = "The link is below: copy it from there.");
  if (navigator.clipboard) navigator.clipboard.writeText(url.href).then(done, shown);
  else shown();
}

/** Open the state of the page's hash: fill the fields, then draw, step or train. */
async function restore() {
  let state;
  try {
    state = stateFromHash(window.location.hash);
  } catch (error) {
    showError(`error: ${error.message}`);
    return;
  }
  applyHidden(state.hide);
  $("teacher").hidden = state.hide.size > 0; // a student's link: no box to undo the teacher's choices
  for (const box of $("hide-choices").querySelectorAll("input")) box.checked = state.hide.has(box.value);
  $("expression").value = state.expr;
  $("values").value = state.values;
  const trainingState = TRAINING_KEYS.some((key) => key in state) || "add" in state || "steps" in state;
  if (trainingState) {
    const fields = settingsFields();
    for (const key of TRAINING_KEYS) if (key in state) fields[key] = state[key];
    let points;
    try {
      points = parsePoints(state.add || "");
    } catch (error) {
      showError(`error: ${error.message}`);
      return;
    }
    if (!startRun(fields)) return;
    const restored = (await replay(Number(state.steps || 0), points)) && restoreInspector(state);
    if (!restored) {
      // the run so far stays on the page, with the error that stopped the rest
      mode = "train";
      showPanel("train");
      return;
    }
  }
  if (state.mode === "type") draw();
  else if (state.mode === "train") openTrain();
  else step(state.mode === "quiz");
}

/** The link's neuron view (neuron, sample, view), if it has one; false (the error shown) if it fails. */
function restoreInspector(state) {
  if (!state.neuron) return true;
  $("neuron").value = state.neuron;
  if ($("neuron").value !== state.neuron) {
    const names = run.neurons.join(", ");
    showError(`error: the link's neuron ${JSON.stringify(state.neuron.slice(0, 40))} is not in this network; it has ${names}`);
    return false;
  }
  run.sample = Number(state.sample || 0);
  return inspect(state.view || "graph");
}

/** A link's added points, checked by Python (parse_points): [[x, y, class, step], ...]. */
function parsePoints(text) {
  const result = JSON.parse(training.link_points(text));
  if (result.error) throw new Error(result.error.replace(/^error: /, ""));
  return result.points;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(script);
  });
}

/** Where Pyodide is: the page's setting, only ever http(s) (a relative path resolves to it). */
function pyodideBase() {
  const base = new URL(meta("pyodide-url"), document.baseURI);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new Error(`Pyodide must come over http(s), not ${base.protocol}; serve the site (autograd-tiny serve DIR)`);
  }
  return base.href;
}

/** The teacher's box: one checkbox per part a link may hide. */
function teacherBox() {
  for (const name of Object.keys(HIDEABLE)) {
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = name;
    box.addEventListener("change", () => {
      applyHidden(teacherChoices());
      if (name === "grads" && mode === "type") draw(); // redrawn with or without the gradients
    });
    label.append(box, ` ${name}`);
    $("hide-choices").append(label);
  }
}

function listen() {
  $("type-form").addEventListener("submit", (event) => {
    event.preventDefault();
    draw();
  });
  $("step").addEventListener("click", () => step(false));
  $("quiz").addEventListener("click", () => step(true));
  $("train").addEventListener("click", openTrain);
  $("copy-link").addEventListener("click", copyLink);
  $("settings").addEventListener("submit", (event) => {
    event.preventDefault();
    startRun();
  });
  for (const key of ["dataset", "act", "opt"]) $(key).addEventListener("change", () => startRun());
  $("run").addEventListener("click", () => (running ? pause() : play()));
  $("one-step").addEventListener("click", () => {
    pause();
    if (run && chunk(1)) redraw(true);
  });
  $("plot").addEventListener("click", clickPlot);
  $("neuron-graph").addEventListener("click", () => inspect("graph"));
  $("neuron-delta").addEventListener("click", () => inspect("delta"));
  window.addEventListener("hashchange", restore);
}

async function start() {
  const started = performance.now();
  const base = pyodideBase();
  await loadScript(base + "pyodide.js");
  const pyodide = await globalThis.loadPyodide({ indexURL: base });
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  for (const name of meta("wheels").split(" ")) {
    const response = await fetch(name);
    if (!response.ok) throw new Error(`cannot load ${name} (HTTP ${response.status})`);
    pyodide.unpackArchive(await response.arrayBuffer(), "wheel", { extractDir: sitePackages });
  }
  python = pyodide.pyimport("autograd_tiny.app.playground");
  training = python.TrainingPage();
  viz = await globalThis.Viz.instance();
  for (const id of ["draw", "step", "quiz", "train", "copy-link"]) $(id).disabled = false;
  teacherBox();
  listen();
  window.addEventListener("resize", () => run && redraw(false));
  await restore();
  const seconds = (performance.now() - started) / 1000;
  $("status").textContent = `Ready in ${seconds.toFixed(1)} s: type an expression and its values, or train a network.`;
  document.documentElement.dataset.readyMs = String(Math.round(performance.now() - started));
}

start().catch((error) => {
  $("status").textContent = `Could not start Python in this page: ${error.message}`;
  document.documentElement.dataset.readyMs = "failed";
});
