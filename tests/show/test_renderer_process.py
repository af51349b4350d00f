"""The renderer is supervised: its output is checked, and on timeout its whole process group dies."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from autograd_tiny import Value
from autograd_tiny.show import render
from autograd_tiny.show.render import RENDERER_ENV, draw_dot

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fake renderers are shell scripts")


def fake_renderer(tmp_path, monkeypatch, body: str) -> str:
    """A shell script set as the renderer through $AUTOGRAD_TINY_DOT; returns its path."""
    script = tmp_path / "fake-dot"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    monkeypatch.setenv(RENDERER_ENV, str(script))
    return str(script)


def graph():
    a = Value(2.0, label="a")
    return draw_dot(a * 3)


@pytest.mark.parametrize(
    "fmt, body, message",
    [
        ("svg", "cat >/dev/null; echo hello\n", r"wrote no <svg> element \(output starts 'hello\\n'\)"),
        (
            "svg",
            "cat >/dev/null; printf '<svg>\\377\\376</svg>'\n",
            r"wrote SVG that is not UTF-8 text \(invalid start byte at byte 5\)",
        ),
        ("png", "cat >/dev/null; echo '<svg></svg>'\n", r"wrote no PNG image \(output starts b'<svg></s'\)"),
        ("pdf", "cat >/dev/null; echo garbage\n", r"wrote no PDF document \(output starts b'garbage\\n'\)"),
    ],
)
def test_garbage_output_is_refused_naming_the_renderer(tmp_path, monkeypatch, fmt, body, message):
    program = fake_renderer(tmp_path, monkeypatch, body)
    with pytest.raises(
        RuntimeError,
        match=f"^{re.escape(program)} {message}; check the renderer, or set AUTOGRAD_TINY_DOT to another one$",
    ):
        graph().render(fmt)


def test_good_output_passes_the_checks(tmp_path, monkeypatch):
    fake_renderer(tmp_path, monkeypatch, "cat >/dev/null; printf '\\211PNG\\r\\n\\032\\nrest'\n")
    assert graph().render("png") == b"\x89PNG\r\n\x1a\nrest"
    fake_renderer(tmp_path, monkeypatch, "cat >/dev/null; echo '<?xml?><svg>é</svg>'\n")
    assert graph().svg() == "<?xml?><svg>é</svg>\n"


def test_a_failing_renderer_says_why(tmp_path, monkeypatch):
    program = fake_renderer(tmp_path, monkeypatch, "cat >/dev/null; echo 'syntax error in line 1' >&2; exit 3\n")
    with pytest.raises(RuntimeError, match=f"^{re.escape(program)} failed to render svg: syntax error in line 1$"):
        graph().svg()


def is_gone(pid: int) -> bool:
    """True once `pid` no longer runs (it may linger as a zombie until init reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: fall back to a signal 0 probe
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def test_on_timeout_the_renderer_and_its_children_are_killed(tmp_path, monkeypatch):
    pidfile = tmp_path / "child.pid"
    # A renderer that starts a helper process, then hangs (as a wrapper script around a stuck dot would).
    program = fake_renderer(
        tmp_path, monkeypatch, f"sleep 300 </dev/null >/dev/null 2>&1 &\necho $! > {pidfile}\nexec sleep 300\n"
    )
    monkeypatch.setattr(render, "RENDER_TIMEOUT", 1.0)
    with pytest.raises(
        RuntimeError,
        match=f"^{re.escape(program)} took more than 1 s to draw the graph and was stopped; draw a smaller one$",
    ):
        graph().svg()
    child = int(pidfile.read_text())
    try:
        # The kill is synchronous; this only waits for the kernel to finish tearing the child down.
        deadline = time.monotonic() + 10
        while not is_gone(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert is_gone(child)
    finally:
        if not is_gone(child):  # never leave our own test's child behind, even on failure
            os.kill(child, signal.SIGKILL)


def test_the_renderer_runs_in_its_own_session(tmp_path, monkeypatch):
    out = tmp_path / "ids"
    # Report the renderer's session id and process group, then draw nothing valid.
    fake_renderer(tmp_path, monkeypatch, f"cat >/dev/null; ps -o sid= -o pgid= -p $$ > {out}; echo '<svg/>'\n")
    graph().svg()
    sid, pgid = (int(x) for x in out.read_text().split())
    assert sid != os.getsid(0) and pgid != os.getpgid(0) and sid == pgid
