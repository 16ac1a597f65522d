"""What a command read: every input file, so that no output of it is ever written over one.

Every loader reads files through :func:`taxonomy.input.reader.read_bytes`, which notes each file
it opens in the active :func:`recording` (the command line opens one per command). An output
(:class:`taxonomy.output.Output`) refuses any target that is one of the files noted: the same
path once symlinks are resolved, or the same file by device and inode (a hard link).

Outside a recording nothing is noted: a library call reads as it always did.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

__all__ = ["FileId", "identify", "note_read", "protects", "recorded", "recording"]


@attrs.frozen
class FileId:
    """One file, by its real path and by its device and inode.

    Attributes:
        real: the path with every symlink resolved.
        device: ``st_dev`` of the file (None when it could not be looked at).
        inode: ``st_ino`` of the file (None when it could not be looked at).
    """

    real: str
    device: int | None = None
    inode: int | None = None

    def same(self, other: FileId) -> bool:
        """Whether ``other`` is this file: the same real path, or the same device and inode."""
        if self.real == other.real:
            return True
        return self.inode is not None and (self.device, self.inode) == (other.device, other.inode)


def identify(path: str | Path, status: os.stat_result | None = None) -> FileId:
    """The :class:`FileId` of ``path`` (``status``: its ``os.stat``, if already known)."""
    real = os.path.realpath(path)
    if status is None:
        try:
            status = os.stat(path)
        except (OSError, ValueError):
            return FileId(real)
    return FileId(real, status.st_dev, status.st_ino)


_READ: contextvars.ContextVar[list[FileId] | None] = contextvars.ContextVar(
    "taxonomy_files_read", default=None
)


@contextlib.contextmanager
def recording() -> Iterator[list[FileId]]:
    """Note every file read (through the shared reader) until the block ends; yield them."""
    found: list[FileId] = []
    token = _READ.set(found)
    try:
        yield found
    finally:
        _READ.reset(token)


def note_read(*files: str | Path | FileId, status: os.stat_result | None = None) -> None:
    """Note files as read, in the active recording (none: nothing is noted).

    ``status`` is the ``os.fstat`` of the one file given, taken on the open file.
    """
    found = _READ.get()
    if found is None:
        return
    for file in files:
        found.append(file if isinstance(file, FileId) else identify(file, status))


def recorded() -> tuple[FileId, ...]:
    """The files read so far in the active recording, and standard input if it is a file."""
    found = list(_READ.get() or ())
    with contextlib.suppress(OSError, ValueError):
        status = os.fstat(0)
        if stat.S_ISREG(status.st_mode):  # `< portfolio.yaml`: the file is an input too
            found.append(FileId(os.path.realpath("/proc/self/fd/0"), status.st_dev, status.st_ino))
    return tuple(found)


def protects(files: Iterable[FileId], target: FileId) -> bool:
    """Whether ``target`` is one of ``files``."""
    return any(file.same(target) for file in files)
