// The playground page: starts Pyodide, unpacks the package's wheels into it, and calls
// autograd_tiny.app.playground (graph_of, stepper_of). Graphs are drawn by viz-global.js,
// a WebAssembly Graphviz.
//
// The URL's hash holds the exercise (expr, values, mode) and is hostile input: it is read with
// URLSearchParams, checked here (known keys, once each, short), and the expression goes to the
// package's safe parser, never eval. Nothing reaches innerHTML: text is written with
// textContent, the graph is an SVG element viz builds from DOT (draw_dot escapes labels), and
// the stepper page runs in an iframe sandboxed without same-origin (it cannot reach this page).
"use strict";

const KEYS = ["expr", "values", "mode"];
const MODES = ["type", "step", "quiz"];
const MAX_TEXT = 1000; // the parser's limit on an expression (expression.MAX_LENGTH)
const DEFAULTS = { expr: "tanh(a*b + c)", values: "a=2 b=-3 c=10", mode: "type" };

const $ = (id) => document.getElementById(id);
const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
let python = null; // autograd_tiny.app.playground, once Pyodide has started
let viz = null;
let mode = "type";

/** The exercise a hash holds ({expr, values, mode}); an Error whose message says what is wrong. */
function stateFromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const state = { ...DEFAULTS };
  for (const key of new Set(params.keys())) {
    if (!KEYS.includes(key)) {
      throw new Error(`the link has an unknown key ${JSON.stringify(key.slice(0, 40))}; it may hold only ${KEYS.join(", ")}`);
    }
    const given = params.getAll(key);
    if (given.length > 1) throw new Error(`the link gives ${key} ${given.length} times; give it once`);
    if (given[0].length > MAX_TEXT) {
      throw new Error(`the link's ${key} is ${given[0].length} characters long; the limit is ${MAX_TEXT}`);
    }
    state[key] = given[0];
  }
  if (!MODES.includes(state.mode)) {
    throw new Error(`the link's mode ${JSON.stringify(state.mode.slice(0, 40))} is not one of ${MODES.join(", ")}`);
  }
  return state;
}

/** The hash that restores the page's current exercise. */
function hashOfState() {
  return new URLSearchParams({ expr: $("expression").value, values: $("values").value, mode }).toString();
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

/** Type: the graph after backward(), its numbers, and its DOT; or the parser's error. */
function draw() {
  clearError();
  mode = "type";
  $("step-panel").hidden = true;
  $("type-panel").hidden = false;
  const result = JSON.parse(python.graph_of($("expression").value, $("values").value));
  if (result.error) {
    $("graph").replaceChildren();
    $("numbers").hidden = true;
    $("dot").textContent = "";
    showError(result.error, result.caret);
    return;
  }
  $("graph").replaceChildren(viz.renderSVGElement(result.dot));
  $("dot").textContent = result.dot;
  const rows = result.values.map((value) => row(value.name, value.data, value.grad));
  rows.push(row("output", result.output.data, result.output.grad));
  $("numbers").tBodies[0].replaceChildren(...rows);
  $("numbers").hidden = false;
}

/** One row of the numbers table: the texts Python wrote (each float's repr, with the minus sign −). */
function row(name, data, grad) {
  const tr = document.createElement("tr");
  for (const text of [name, data, grad]) {
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
    showError(result.error, result.caret);
    return;
  }
  $("type-panel").hidden = true;
  $("step-panel").hidden = false;
  $("stepper").srcdoc = result.page;
}

/** Copy link: the hash gets the exercise; the link is shown (and copied where allowed). */
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

/** Open the exercise of the page's hash: fill the fields, then draw or step. */
function restore() {
  let state;
  try {
    state = stateFromHash(window.location.hash);
  } catch (error) {
    showError(`error: ${error.message}`);
    return;
  }
  $("expression").value = state.expr;
  $("values").value = state.values;
  if (state.mode === "type") draw();
  else step(state.mode === "quiz");
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
  viz = await globalThis.Viz.instance();
  for (const id of ["draw", "step", "quiz", "copy-link"]) $(id).disabled = false;
  $("type-form").addEventListener("submit", (event) => {
    event.preventDefault();
    draw();
  });
  $("step").addEventListener("click", () => step(false));
  $("quiz").addEventListener("click", () => step(true));
  $("copy-link").addEventListener("click", copyLink);
  window.addEventListener("hashchange", restore);
  restore();
  const seconds = (performance.now() - started) / 1000;
  $("status").textContent = `Ready in ${seconds.toFixed(1)} s: type an expression and its values.`;
  document.documentElement.dataset.readyMs = String(Math.round(performance.now() - started));
}

start().catch((error) => {
  $("status").textContent = `Could not start Python in this page: ${error.message}`;
  document.documentElement.dataset.readyMs = "failed";
});
