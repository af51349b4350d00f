"""Writing files safely: the one helper through which the package writes every file.

And the one through which it reads a file a user names (`read_regular_file`): never a
device or a FIFO, never more than a limit, checked before reading.

A crash, a full disk or a power loss never leaves half a file behind: the data goes to a
temporary file next to the target, is flushed to disk, and is then renamed over the target
in one atomic step, so the target holds the old contents or the new ones, never a mix.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> write_atomically(path, "hello") == path
True
>>> open(path).read()
'hello'
"""

from __future__ import annotations

import errno
import os
import stat

__all__ = ["write_atomically", "read_regular_file", "FileTooLarge"]

# Error numbers of filesystems that cannot sync a folder (the rename is done either way).
_CANNOT_SYNC_FOLDER = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EACCES}

# How many temporary names to try before giving up (a clash needs 64 random bits to repeat).
_TEMPORARY_ATTEMPTS = 100


def write_atomically(path: str | os.PathLike, data: str | bytes) -> str:
    """Write `data` (text as UTF-8, or bytes) to `path` atomically, and return `path` as a str.

    * Through a symlink: the link stays a link and the file it points to is replaced, by a
      temporary file made in that file's own folder (a rename is only atomic within one
      filesystem).
    * An existing file keeps its permission bits; a new file gets ``0666 & ~umask``, like
      ``open(path, "w")``. The process umask is never changed (setting it, even for a moment,
      would race with other threads creating files).
    * The file is fsynced before the rename and its folder after it, so after a power loss
      the path holds the old contents or the new ones.
    * On any error the temporary file is removed and the old file is left as it was.

    Args:
        path: the file to write; its folder must exist.
        data: a str (written as UTF-8) or bytes.

    Raises:
        ValueError: `path` is empty, or names a folder, a device, a FIFO or a socket.
        FileNotFoundError: the folder of `path` does not exist.
        TypeError: `data` is neither str nor bytes.

    >>> import os, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> target = os.path.join(folder, "real.txt")
    >>> link = os.path.join(folder, "link.txt")
    >>> os.symlink(target, link)
    >>> _ = write_atomically(link, "through the link")
    >>> os.path.islink(link), open(target).read()
    (True, 'through the link')
    """
    user_path = os.fspath(path)
    if isinstance(user_path, bytes):
        user_path = os.fsdecode(user_path)
    if not user_path:
        raise ValueError("cannot write to an empty path; give a file name such as 'model.json'")
    if isinstance(data, str):
        payload = data.encode("utf-8")
    elif isinstance(data, (bytes, bytearray, memoryview)):
        payload = bytes(data)
    else:
        raise TypeError(f"write_atomically writes str or bytes, got {type(data).__name__}")
    # Resolve symlinks so that the link is kept and the file it points to is replaced.
    target = os.path.realpath(user_path)
    existing_mode = _existing_mode(user_path, target)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(
            errno.ENOENT, f"cannot write {user_path}: the folder {folder} does not exist; create it first"
        )
    try:
        _replace(target, folder, payload, existing_mode)
    except OSError as error:
        raise _naming(error, user_path) from None
    return user_path


def _existing_mode(user_path: str, target: str) -> int | None:
    """The permission bits of the file at `target`, None if there is none; refuse non-files."""
    try:
        status = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _naming(error, user_path) from None
    if stat.S_ISREG(status.st_mode):
        return stat.S_IMODE(status.st_mode)
    kind = _kind(status.st_mode)
    raise ValueError(f"cannot write {user_path}: it is {kind}, not a regular file; choose a file name instead")


class FileTooLarge(ValueError):
    """`read_regular_file` refused a file over its limit, before reading it; `size` is its size."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"it is {size} bytes, more than the {limit} bytes allowed")
        self.size = size


def read_regular_file(path: str, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path`, refusing anything that could block or flood.

    * Checked before opening: a folder, FIFO, device or socket is refused (opening a FIFO
      waits for a writer; reading /dev/zero never ends), and so is a file over `max_bytes`.
    * Checked again on the opened file, which may not be the one checked (the path can be
      replaced in between); O_NONBLOCK makes even opening a FIFO return at once.
    * Only as many bytes as the file says it holds are read: files in /proc show size 0
      (and /proc/kmsg's read would wait for kernel messages forever), so they read as empty.

    Raises:
        FileNotFoundError: there is nothing at `path`.
        FileTooLarge: the file is larger than `max_bytes` (nothing was read).
        ValueError: `path` is not a regular file; the message says what it is
            (``"it is a folder, not a regular file"``), for the caller to prefix.

    >>> import os, tempfile
    >>> path = write_atomically(os.path.join(tempfile.mkdtemp(), "note.txt"), "hello")
    >>> read_regular_file(path, max_bytes=100)
    b'hello'
    """
    _regular_size(os.stat(path), max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        remaining = _regular_size(os.fstat(fd), max_bytes)
        chunks = []
        while remaining > 0:
            chunk = os.read(fd, remaining)
            if not chunk:
                break  # the file shrank since fstat
            chunks.append(chunk)
            remaining -= len(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _regular_size(status: os.stat_result, max_bytes: int) -> int:
    """The size of a regular file within `max_bytes`; anything else raises (see read_regular_file)."""
    if not stat.S_ISREG(status.st_mode):
        raise ValueError(f"it is {_kind(status.st_mode)}, not a regular file")
    if status.st_size > max_bytes:
        raise FileTooLarge(status.st_size, max_bytes)
    return status.st_size


def _kind(mode: int) -> str:
    """What a non-regular file is, in words, for error messages."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _replace(target: str, folder: str, payload: bytes, existing_mode: int | None) -> None:
    """Write `payload` to a temporary file in `folder`, sync it, rename it over `target`."""
    # A new file is created with 0666 and the kernel applies the umask, exactly as open()
    # does. Over an existing file, start private (0600) so the data is never readable by
    # more people than the old file allowed, then copy the old file's bits.
    create_mode = 0o666 if existing_mode is None else 0o600
    fd, temporary = _create_temporary(target, folder, create_mode)
    try:
        with os.fdopen(fd, "wb") as f:
            if existing_mode is not None:
                os.chmod(f.fileno() if os.chmod in os.supports_fd else temporary, existing_mode)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except BaseException:
        _remove_quietly(temporary)
        raise
    _sync_folder(folder)


def _create_temporary(target: str, folder: str, mode: int) -> tuple[int, str]:
    """Create and open a new, uniquely named hidden file next to `target`."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    base = os.path.basename(target)
    for _ in range(_TEMPORARY_ATTEMPTS):
        temporary = os.path.join(folder, f".{base}.{os.urandom(8).hex()}.tmp")
        try:
            return os.open(temporary, flags, mode), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, f"could not create a temporary file in {folder}")


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass  # already gone, or the folder vanished: nothing left to clean up


def _sync_folder(folder: str) -> None:
    """fsync the folder, so the rename itself survives a power loss."""
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows cannot open a folder; its rename is journaled by NTFS
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as error:
        if error.errno in _CANNOT_SYNC_FOLDER:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in _CANNOT_SYNC_FOLDER:
            raise
    finally:
        os.close(fd)


def _naming(error: OSError, user_path: str) -> OSError:
    """The same kind of OSError, naming the user's path instead of an internal temporary name."""
    if error.errno is None:
        return error
    return type(error)(error.errno, f"cannot write {user_path}: {error.strerror}")
