// Run a Python script of this repository under Pyodide (CPython compiled to WebAssembly) in Node.
//
//     node browser/run_python.mjs SCRIPT.py [ARGS...]
//     node browser/run_python.mjs -c CODE [ARGS...]
//
// This is how the test suite checks that the package works in a browser's Python without a
// browser: the same interpreter a web page loads, started from the pinned `pyodide` npm package
// (browser/package.json; install it with `npm ci` in browser/). The script runs with
//
//   - the repository's source (autograd_tiny/, tests/, docs/, browser/'s scripts, pyproject.toml,
//     README.md) copied
//     into Pyodide's in-memory file system at /repo, which is the working directory and the
//     first entry of sys.path: nothing the script writes reaches the real tree;
//   - the pure-Python wheels of browser/pyodide-requirements.txt (graphviz, pytest, hypothesis
//     and what they need) unpacked into Pyodide's site-packages from browser/wheels/, where
//     .ci/run downloads them: no network is used;
//   - sys.argv = [SCRIPT.py, ARGS...] (["-c", ARGS...] for CODE, as in Python); its standard
//     output and error are this process's.
//
// The exit status is the script's (SystemExit), 1 for an uncaught exception, 2 for a setup
// problem (Pyodide or the wheels missing), with a message that says what to run.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isMainThread, Worker } from "node:worker_threads";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);
const WHEELS = join(HERE, "wheels");
// What the package and its tests read: the rest of the repository (.git, virtual environments,
// notebooks, node_modules) stays out, which keeps the copy small and fast.
const COPIED = ["autograd_tiny", "tests", "docs", "browser", "pyproject.toml", "README.md", "LICENSE"];
const SKIPPED = new Set(["__pycache__", ".pytest_cache", ".hypothesis", "node_modules", "wheels"]);

function fail(message) {
  process.stderr.write(`run_python.mjs: ${message}\n`);
  process.exit(2);
}

async function loadPyodideFromNpm() {
  try {
    const { loadPyodide } = await import("pyodide");
    return loadPyodide;
  } catch (error) {
    fail(`cannot load the pyodide npm package (${error.message}); run \`npm ci\` in ${HERE}`);
  }
}

/** Copy `path` (a file or folder of the repository) into Pyodide's file system under /repo. */
function copyIntoPyodide(FS, path) {
  const target = join("/repo", relative(ROOT, path));
  if (statSync(path).isDirectory()) {
    FS.mkdirTree(target);
    for (const name of readdirSync(path)) {
      if (!SKIPPED.has(name)) copyIntoPyodide(FS, join(path, name));
    }
  } else {
    FS.writeFile(target, readFileSync(path));
  }
}

/** Put each wheel of browser/wheels/ into /wheels, for the Python side to unpack. */
function copyWheels(FS) {
  const wheels = existsSync(WHEELS) ? readdirSync(WHEELS).filter((name) => name.endsWith(".whl")) : [];
  if (wheels.length === 0) {
    fail(
      `no wheels in ${WHEELS}; download them as .ci/run does: python3 -m pip download --no-deps ` +
        `--only-binary=:all: --python-version 3.14 --implementation py --platform any ` +
        `-r ${join(HERE, "pyodide-requirements.txt")} -d ${WHEELS}`,
    );
  }
  FS.mkdirTree("/wheels");
  for (const name of wheels) FS.writeFile(join("/wheels", name), readFileSync(join(WHEELS, name)));
}

// Unpack the wheels into site-packages (pure-Python wheels are zip files of importable
// folders), then run the script as __main__ the way `python SCRIPT.py ARGS` would.
const RUN = `
import os, runpy, site, sys, zipfile
for name in sorted(os.listdir("/wheels")):
    with zipfile.ZipFile(os.path.join("/wheels", name)) as wheel:
        wheel.extractall(site.getsitepackages()[0])
os.chdir("/repo")
sys.path.insert(0, "/repo")
sys.argv = list(ARGV)
try:
    if sys.argv[0] == "-c":
        code = sys.argv.pop(1)
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    else:
        runpy.run_path(sys.argv[0], run_name="__main__")
    STATUS = 0
except SystemExit as stop:
    STATUS = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    if not isinstance(stop.code, (int, type(None))):
        print(stop.code, file=sys.stderr)
finally:
    sys.stdout.flush()
    sys.stderr.flush()
STATUS
`;

async function main() {
  const [script, ...args] = process.argv.slice(2);
  if (!script || (script === "-c" && args.length === 0)) {
    fail("usage: node browser/run_python.mjs SCRIPT.py [ARGS...] (SCRIPT.py relative to the repository), or -c CODE [ARGS...]");
  }
  if (script !== "-c" && !existsSync(join(ROOT, script))) fail(`no script ${script} in ${ROOT}`);
  const loadPyodide = await loadPyodideFromNpm();
  const pyodide = await loadPyodide({
    env: { HOME: "/home/pyodide" },
  });
  // Python's output as it comes, byte for byte (not split into console.log lines). Pyodide
  // reuses its buffer: write a copy.
  const passOn = (stream) => (bytes) => {
    stream.write(Buffer.from(bytes));
    return bytes.length;
  };
  pyodide.setStdout({ write: passOn(process.stdout) });
  pyodide.setStderr({ write: passOn(process.stderr) });
  for (const name of COPIED) {
    if (existsSync(join(ROOT, name))) copyIntoPyodide(pyodide.FS, join(ROOT, name));
  }
  copyWheels(pyodide.FS);
  pyodide.globals.set("ARGV", pyodide.toPy([script, ...args]));
  let status;
  try {
    status = await pyodide.runPythonAsync(RUN);
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    status = 1;
  }
  process.exitCode = status;
}

// Pyodide runs in a worker thread with a larger stack than Node's main thread (about 1 MB):
// WebAssembly calls C functions on the JavaScript stack, and pytest's own call chains (its
// hooks, then formatting a failure's traceback) overflow 1 MB, which kills the interpreter.
const STACK_MB = Number(process.env.AUTOGRAD_TINY_PYODIDE_STACK_MB || 8);

if (isMainThread) {
  const worker = new Worker(new URL(import.meta.url), {
    argv: process.argv.slice(2),
    resourceLimits: { stackSizeMb: STACK_MB },
  });
  worker.on("error", (error) => {
    process.stderr.write(`run_python.mjs: ${error.stack || error}\n`);
    process.exitCode = 1;
  });
  worker.on("exit", (code) => {
    if (process.exitCode === undefined) process.exitCode = code;
  });
} else {
  await main();
  process.exit(process.exitCode ?? 0);
}
