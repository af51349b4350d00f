"""Writing files atomically: a crash or an error never leaves half a file behind.

>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> write_atomically(path, "hello") == path
True
>>> open(path).read()
'hello'
"""

from __future__ import annotations

import os
import tempfile
from typing import Union

__all__ = ["write_atomically"]


def write_atomically(path: Union[str, os.PathLike], data: Union[str, bytes]) -> str:
    """Write `data` (text as UTF-8, or bytes) to `path` through a temporary file and a rename.

    The rename is atomic, so readers see the old file or the new one, never a mix. The
    folder must exist. Returns the path as a string.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"cannot write {path}: the folder {folder} does not exist")
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        # mkstemp makes the file private (0600); give it the permissions of a normal new file.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return path


def _umask() -> int:
    """The process's umask (reading it means setting it, so set it straight back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
