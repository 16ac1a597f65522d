"""The one way taxonomy writes a file: never over an input, never through a stray symlink.

Every file an output command writes goes through an :class:`Output`:

- it is never one of the command's inputs: a file given on the command line, or any file read
  while the command ran (a CSV portfolio's side tables, every file of a rule pack, scenario,
  sweep and expectation files; see :mod:`taxonomy.input.sources`), compared by real path and
  by device and inode, so a symlink or a hard link to an input is that input;
- an existing file (a symlink too, even a dangling one) is replaced only when ``force`` is
  given, and then atomically: the content goes to a temporary file beside it, renamed over it
  once complete, so a failure leaves the old file as it was, and a symlink is replaced, never
  written through;
- a target that is not a regular file (``/dev/null``, a FIFO, a symlink to
  ``/proc/self/fd/1``) is written in place, never replaced, with or without ``force``;
- any failure (a full disk, a name too long, a folder that does not exist) is one
  :class:`~taxonomy.errors.InputError` naming the file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from taxonomy.errors import InputError
from taxonomy.input.sources import FileId, identify, protects, recorded

__all__ = ["Output", "writing_together"]


class Output:
    r"""One file to write.

    Args:
        path: where to write.
        protected: files that must not be written over, besides every file read in the active
            recording (:func:`taxonomy.input.sources.recording`): paths or :class:`FileId`.
        force: replace an existing file.

    Example:
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> Output(f"{folder}/out.txt").write_text("hello\n")
        >>> Output(f"{folder}/out.txt").write_text("again\n")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        taxonomy.errors.InputError: .../out.txt: exists: give --force to replace it
    """

    def __init__(
        self,
        path: str | Path,
        *,
        protected: Iterable[str | Path | FileId] = (),
        force: bool = False,
    ) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.force = force
        self._protected = tuple(
            p if isinstance(p, FileId) else identify(p)
            for p in protected
            if str(p) not in ("", "-")
        )

    def _fail(self, problem: str) -> InputError:
        return InputError(problem, file=self.name)

    def claim(self) -> bool:
        """Check the file may be written; whether it is written in place (not a regular file).

        Raises:
            InputError: it is an input, it exists and ``force`` is not given, it is a folder,
                or its folder does not exist.
        """
        try:
            link = os.lstat(self.path)
        except FileNotFoundError:
            link = None
        except NotADirectoryError:
            raise self._fail(f"{self.path.parent} is a file, not a folder") from None
        except OSError as exc:  # a name too long, a folder that cannot be searched
            raise self._fail(f"cannot be written: {exc.strerror}") from None
        followed: os.stat_result | None = None
        if link is not None:
            try:
                followed = os.stat(self.path)
            except OSError:  # a dangling symlink (or a loop): replaced, never written through
                followed = None
            found = identify(self.path, followed)
            own = identify(self.path, link)  # the symlink itself, or the file
            inputs = (*self._protected, *recorded())
            if protects(inputs, found) or protects(inputs, own):
                raise self._fail("is an input of this command: write the result elsewhere")
        if followed is not None and stat.S_ISDIR(followed.st_mode):
            raise self._fail("is a folder: give a file name")
        if followed is not None and not stat.S_ISREG(followed.st_mode):
            return True  # a device, a FIFO, a terminal: written in place
        if link is not None and not self.force:
            raise self._fail("exists: give --force to replace it")
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise self._fail(f"{parent} is a file, not a folder")
        if not parent.is_dir():
            raise self._fail(f"the folder {parent} does not exist")
        return False

    @contextlib.contextmanager
    def writing(self) -> Iterator[Path]:
        """Claim the file (:meth:`claim`) and give a path to write it at.

        The path is a new temporary file: once the block ends without an error, it replaces the
        target (or, for a target that is not a regular file, is copied into it). On an error
        the target is left as it was.
        """
        in_place = self.claim()
        try:
            if in_place:
                handle, temporary = tempfile.mkstemp(prefix="taxonomy-", suffix=self.path.suffix)
            else:
                # The name is shortened, so a target's name near the limit still has a neighbour.
                handle, temporary = tempfile.mkstemp(
                    dir=self.path.parent, prefix=f".{self.path.stem[:32]}.", suffix=self.path.suffix
                )
            os.close(handle)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(temporary, 0o666 & ~mask)  # as a plain write would have made it
        except OSError as exc:
            raise self._fail(f"cannot be written: {exc.strerror}") from None
        try:
            yield Path(temporary)
            if in_place:
                self._copy_into(temporary)
            else:
                os.replace(temporary, self.path)
        except OSError as exc:
            raise self._fail(f"cannot be written: {exc.strerror}") from None
        except InputError as exc:
            if exc.file != temporary:
                raise
            # A writer's message names the file it wrote, the temporary one: name the user's (and
            # keep the rest of where: a sheet, row and column).
            raise type(exc)(
                exc.problem,
                file=self.name,
                line=exc.line,
                item=exc.item,
                key=exc.key,
                allowed=exc.allowed,
                suggestion=exc.suggestion,
                sheet=exc.sheet,
                column=exc.column,
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)

    def _copy_into(self, temporary: str) -> None:
        """Write the content of ``temporary`` into the target in place (not a regular file)."""
        descriptor = os.open(self.path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
        with open(descriptor, "wb") as target, open(temporary, "rb") as source:
            if stat.S_ISREG(os.fstat(descriptor).st_mode):
                # It became a regular file since it was claimed: it is not written through.
                raise self._fail("changed while being written: write it again")
            shutil.copyfileobj(source, target)
            target.flush()

    def write_text(self, text: str) -> None:
        """Write ``text`` (UTF-8) to the file."""
        with self.writing() as path:
            path.write_text(text, encoding="utf-8")

    def write_bytes(self, data: bytes) -> None:
        """Write ``data`` to the file."""
        with self.writing() as path:
            path.write_bytes(data)

    def remove(self) -> None:
        """Remove the file if it is there (a symlink itself, never what it points to).

        It is claimed first: never an input, an existing file only with ``force``. Anything but
        a regular file or a symlink is left where it is.

        Raises:
            InputError: as :meth:`claim`, or it cannot be removed.
        """
        if self.claim():
            return
        try:
            found = os.lstat(self.path)
            if stat.S_ISREG(found.st_mode) or stat.S_ISLNK(found.st_mode):
                os.unlink(self.path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise self._fail(f"cannot be removed: {exc.strerror}") from None


@contextlib.contextmanager
def writing_together(outputs: Sequence[Output]) -> Iterator[list[Path]]:
    """Claim every one of ``outputs``, then give a path for each: all are written, or none.

    Every output is claimed before any is written; an error while writing leaves every target
    as it was.
    """
    with contextlib.ExitStack() as stack:
        yield [stack.enter_context(output.writing()) for output in outputs]
