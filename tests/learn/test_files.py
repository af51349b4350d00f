"""write_atomically: the one helper that writes every file (symlinks, modes, crashes, threads)."""

from __future__ import annotations

import ast
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autograd_tiny.learn.files import FileTooLarge, read_regular_file, write_atomically

PACKAGE = Path(__file__).resolve().parents[2] / "autograd_tiny"

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs POSIX modes, symlinks and FIFOs")


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_writes_text_as_utf8_and_bytes_as_is(tmp_path):
    path = tmp_path / "out.txt"
    assert write_atomically(path, "π ≈ 3.14") == str(path)
    assert path.read_bytes() == "π ≈ 3.14".encode()
    write_atomically(path, b"\x00\xff")
    assert path.read_bytes() == b"\x00\xff"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]


@posix_only
def test_writes_through_a_symlink_and_keeps_the_link(tmp_path):
    real_folder = tmp_path / "real"
    real_folder.mkdir()
    target = real_folder / "model.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomically(link, "new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == "new"
    # The temporary file lived next to the target (same filesystem), and is gone.
    assert sorted(os.listdir(real_folder)) == ["model.json"]
    assert sorted(os.listdir(tmp_path)) == ["link.json", "real"]


@posix_only
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.txt"
    link.symlink_to(tmp_path / "target.txt")
    write_atomically(link, "made")
    assert link.is_symlink() and (tmp_path / "target.txt").read_text() == "made"


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o604])
def test_an_existing_file_keeps_its_permission_bits(tmp_path, mode):
    path = tmp_path / "secret.json"
    path.write_text("old")
    os.chmod(path, mode)
    write_atomically(path, "new")
    assert _mode(path) == mode
    assert path.read_text() == "new"


_NEW_FILE_MODE = """
import os, stat, sys
os.umask(int(sys.argv[2], 8))
from autograd_tiny.learn.files import write_atomically
write_atomically(sys.argv[1], "x")
print(oct(stat.S_IMODE(os.stat(sys.argv[1]).st_mode)))
"""


@posix_only
@pytest.mark.parametrize(("umask", "expected"), [("077", "0o600"), ("022", "0o644"), ("002", "0o664")])
def test_a_new_file_gets_0666_minus_the_umask(tmp_path, umask, expected):
    path = tmp_path / f"new-{umask}.txt"
    env = dict(os.environ, PYTHONPATH=str(PACKAGE.parent))
    result = subprocess.run(
        [sys.executable, "-c", _NEW_FILE_MODE, str(path), umask], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == expected


def test_never_calls_os_umask(tmp_path, monkeypatch):
    def forbidden(mask):
        raise AssertionError("os.umask was called; it races with other threads")

    monkeypatch.setattr(os, "umask", forbidden)
    write_atomically(tmp_path / "new.txt", "new file")
    write_atomically(tmp_path / "new.txt", "existing file")
    assert (tmp_path / "new.txt").read_text() == "existing file"


def test_a_crash_during_the_rename_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old contents")

    def crash(source, destination):
        raise OSError("simulated crash during the rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="simulated crash"):
        write_atomically(path, "new contents")
    assert path.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_crash_while_writing_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old contents")

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match=r"cannot write .*model\.json: No space left on device") as caught:
        write_atomically(path, "new contents")
    assert ".tmp" not in str(caught.value)  # the user's path, never the internal name
    assert path.read_text() == "old contents"
    assert os.listdir(tmp_path) == ["model.json"]


def test_a_keyboard_interrupt_also_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    path.write_text("old")

    def interrupted(source, destination):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new")
    assert os.listdir(tmp_path) == ["model.json"] and path.read_text() == "old"


def test_refuses_a_folder_naming_the_users_path(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    with pytest.raises(ValueError, match=r"cannot write .*results: it is a folder, not a regular file"):
        write_atomically(folder, "x")
    assert os.listdir(folder) == []


@posix_only
def test_refuses_a_symlink_to_a_folder_naming_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "real")
    with pytest.raises(ValueError, match=rf"cannot write {link}: it is a folder"):
        write_atomically(link, "x")


@posix_only
def test_refuses_a_fifo(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match=rf"cannot write {fifo}: it is a FIFO \(named pipe\), not a regular file"):
        write_atomically(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


@posix_only
def test_refuses_dev_null():
    with pytest.raises(ValueError, match="cannot write /dev/null: it is a device, not a regular file"):
        write_atomically("/dev/null", "x")


def test_refuses_an_empty_path():
    with pytest.raises(ValueError, match="cannot write to an empty path; give a file name"):
        write_atomically("", "x")


def test_a_missing_folder_is_named(tmp_path):
    path = tmp_path / "missing" / "model.json"
    with pytest.raises(FileNotFoundError, match=rf"cannot write {path}: the folder .*missing does not exist"):
        write_atomically(path, "x")


def test_refuses_data_that_is_not_text_or_bytes(tmp_path):
    with pytest.raises(TypeError, match="write_atomically writes str or bytes, got int"):
        write_atomically(tmp_path / "x", 3)


def test_two_threads_writing_one_file_leave_one_complete_version(tmp_path):
    path = tmp_path / "shared.txt"
    versions = [str(n) * 200_000 for n in range(2)]
    start = threading.Barrier(2)
    errors = []

    def writer(text):
        try:
            start.wait()
            for _ in range(10):
                write_atomically(path, text)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(text,)) for text in versions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert path.read_text() in versions
    assert os.listdir(tmp_path) == ["shared.txt"]


# --- every file the package writes goes through write_atomically -------------------------

# Methods that write whatever they are called on, and os/shutil/tempfile functions that write.
_WRITING_METHODS = {"write_text", "write_bytes"}
_WRITING_FUNCTIONS = {"replace", "rename", "copy", "copyfile", "copy2", "mkstemp", "NamedTemporaryFile"}
_FILE_MODULES = {"os", "shutil", "tempfile"}


def _writes_outside_the_helper(source: str) -> list[str]:
    """Calls in `source` that write a file without write_atomically: open() for writing and co."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        receiver = getattr(getattr(node.func, "value", None), "id", None)
        if name in _WRITING_METHODS or (name in _WRITING_FUNCTIONS and receiver in _FILE_MODULES):
            found.append(f"line {node.lineno}: {name}()")
        if name in ("open", "fdopen") and not _is_devnull(node.args[:1]):
            modes = [a for a in node.args[1:2]] + [k.value for k in node.keywords if k.arg == "mode"]
            for mode in modes:
                if not isinstance(mode, ast.Constant) or set(str(mode.value)) & set("wax+"):
                    found.append(f"line {node.lineno}: {name}() for writing")
    return found


def _is_devnull(args: list) -> bool:
    """`open(os.devnull, ...)` writes no file: the CLI points a closed pipe's stdout there."""
    return bool(args) and isinstance(args[0], ast.Attribute) and args[0].attr == "devnull"


def test_the_guard_spots_writing_calls():
    source = "open(p, 'w')\nopen(p)\nopen(p, mode='rb')\nPath(p).write_text('x')\ns.replace('a', 'b')\nos.replace(a, b)\nos.open(os.devnull, os.O_WRONLY)"
    assert _writes_outside_the_helper(source) == [
        "line 1: open() for writing",
        "line 4: write_text()",
        "line 6: replace()",
    ]


def test_every_file_the_package_writes_goes_through_write_atomically():
    offenders = {}
    for module in sorted(PACKAGE.rglob("*.py")):
        if module.name == "files.py":
            continue
        found = _writes_outside_the_helper(module.read_text(encoding="utf-8"))
        if found:
            offenders[module.name] = found
    assert offenders == {}
    users = {m.name for m in PACKAGE.rglob("*.py") if "write_atomically(" in m.read_text(encoding="utf-8")}
    assert {"nn.py", "render.py", "explain.py", "demo.py"} <= users


# --- reading: read_regular_file ----------------------------------------------------------


def test_read_regular_file_reads_a_file(tmp_path):
    path = write_atomically(tmp_path / "a.txt", "héllo")
    assert read_regular_file(path, max_bytes=6) == "héllo".encode()


def test_read_regular_file_refuses_a_large_file_before_opening(tmp_path, monkeypatch):
    path = write_atomically(tmp_path / "a.txt", "x" * 10)
    monkeypatch.setattr(os, "open", lambda *a, **k: pytest.fail("opened a file over the limit"))
    with pytest.raises(FileTooLarge, match=r"^it is 10 bytes, more than the 9 bytes allowed$") as caught:
        read_regular_file(path, max_bytes=9)
    assert caught.value.size == 10


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_regular_file_refuses_what_is_not_a_file(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, kind in [(str(fifo), r"a FIFO \(named pipe\)"), (str(tmp_path), "a folder"), ("/dev/zero", "a device")]:
        with pytest.raises(ValueError, match=rf"^it is {kind}, not a regular file$"):
            read_regular_file(path, max_bytes=100)
