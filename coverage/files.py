"""Reading a file a planner gives, and writing every file the planner makes: with limits, and atomically.

Reading (:func:`read_bytes`) takes a path, bytes or an uploaded file, refuses one
larger than the file-size limit before reading it (``COVERAGE_MAX_FILE_MB``), and
names the file in every message.

Writing (:func:`write_atomic`) is the one way the project writes a file: plans,
tables, reports, comparisons, matrices, sweep tables and the default data set.  The
content goes to a temporary file in the same folder, is flushed to disk (``fsync``),
and only then renamed over the target, so the target is either the old file or the
whole new one: a full disk, a file-size limit (``ulimit -f``) or a crash leaves the
original untouched, and the reason comes back as an :class:`~coverage.errors.InputError`
(exit status 2 on the command line).
"""

from __future__ import annotations

import contextlib
import errno
import os
import resource
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from coverage.errors import InputError, Problem
from coverage.limits import exceeded, limit_bytes

#: Plain words for the reasons a write fails.
_WRITE_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would exceed the file-size limit (ulimit -f)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOENT: "its folder does not exist",
    errno.ENOTDIR: "its folder is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def _reason(error: OSError) -> str:
    return _WRITE_REASONS.get(error.errno or 0, error.strerror or type(error).__name__)


#: Faults of the machine, not of the program: a write that hits one is the planner's to fix (exit status 2).
_SPACE_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS)


def out_of_space(error: BaseException) -> str | None:
    """The reason, when ``error`` (or what caused it: libraries wrap OSError in their own kinds) is a full disk, a
    used-up quota, a file-size limit or a read-only file system; None for anything else."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in _SPACE_ERRORS:
            return _reason(error)
        for argument in getattr(error, "args", ()):  # XlsxWriter's FileCreateError carries the OSError as its argument
            if isinstance(argument, OSError) and argument.errno in _SPACE_ERRORS:
                return _reason(argument)
        error = error.__cause__ or error.__context__
    return None


# -- reading ---------------------------------------------------------------------------------------------
def read_bytes(source: str | Path | bytes | BinaryIO, name: str | None = None,
               default: str = "upload") -> tuple[bytes, str]:
    """The bytes of a path, bytes or file object, and the label its messages use (``name``, the file's
    name, or ``default``).  A path that cannot be read, or anything larger than the file-size limit, is an
    InputError naming it (the size is checked before reading)."""
    most = limit_bytes("file_mb")
    if isinstance(source, (str, Path)):
        path = Path(source)
        label = name or path.name
        try:
            if path.is_dir():
                raise InputError(Problem("is a folder, not a file", file=str(path)))
            size = path.stat().st_size
            if size > most:
                raise exceeded("file_mb", f"{size / 2 ** 20:,.1f}", file=label, what="MB")
            with open(path, "rb") as handle:
                data = handle.read(most + 1)
        except FileNotFoundError:
            raise InputError(Problem("file not found", file=str(path))) from None
        except OSError as error:
            raise InputError(Problem(f"cannot be read ({error.strerror or type(error).__name__})",
                                     file=str(path))) from None
        if len(data) > most:  # a pipe or a special file that does not know its size
            raise exceeded("file_mb", f"more than {most / 2 ** 20:,.0f}", file=label, what="MB")
        return data, label
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        label = name or default
    else:
        label = name or getattr(source, "name", None) or default
        size = getattr(source, "size", None)  # Streamlit's UploadedFile knows its size
        if isinstance(size, int) and size > most:
            raise exceeded("file_mb", f"{size / 2 ** 20:,.1f}", file=label, what="MB")
        data = source.getvalue() if hasattr(source, "getvalue") else source.read(most + 1)
    if len(data) > most:
        raise exceeded("file_mb", f"{len(data) / 2 ** 20:,.1f}", file=label, what="MB")
    return data, label


# -- writing ---------------------------------------------------------------------------------------------
def _new_file_mode() -> int:
    """Permissions an ordinary new file gets (0666 less the umask), read without changing the umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o600


def write_atomic(path: str | Path, content: bytes, mode: int | None = None) -> Path:
    """Write ``content`` to ``path`` whole or not at all (temporary file, fsync, rename); returns the path.

    A file replaced keeps its permissions; a new one gets the usual ones (or ``mode``).
    Any failure leaves ``path`` as it was, removes the temporary file and raises an
    InputError that names the file and the reason (disk full, file-size limit...).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(Problem("cannot be written: it is a folder", file=str(path)))
    if not folder.is_dir():
        raise InputError(Problem(f"cannot be written: the folder {folder} does not exist", file=str(path)))
    try:
        keep_mode = path.stat().st_mode & 0o7777 if path.exists() else None
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name[:100]}.", suffix=".part", dir=folder)
    except OSError as error:
        raise InputError(Problem(f"cannot be written ({_reason(error)})", file=str(path))) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode if mode is not None else keep_mode if keep_mode is not None else _new_file_mode())
        os.replace(temporary, path)
    except BaseException as error:
        with contextlib.suppress(OSError):  # cleaning up must not hide the failure
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise InputError(Problem(f"cannot be written ({_reason(error)}); the file was left as it was",
                                     file=str(path))) from None
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a power cut once the folder is on disk too
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    return path


def append_line(path: str | Path, line: str) -> None:
    """Append one line of text to ``path`` whole or not at all (a results file of JSON lines).

    On a failure (disk full, file-size limit, a folder or a missing folder) the file is cut back to the size
    it had, so no half line is left for the next reader, and an InputError names the file and the reason.
    """
    path = Path(path)
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, _new_file_mode())
        try:
            size = os.fstat(descriptor).st_size
            try:
                written = 0
                while written < len(data):  # unbuffered: a short write is known, and cut back below
                    written += os.write(descriptor, data[written:])
                os.fsync(descriptor)
            except OSError:
                with contextlib.suppress(OSError):
                    os.ftruncate(descriptor, size)
                raise
        finally:
            os.close(descriptor)
    except OSError as error:
        where = "it is a folder" if path.is_dir() else (
            f"the folder {path.parent} does not exist" if not path.parent.is_dir() else _reason(error))
        raise InputError(Problem(f"cannot be written ({where}); the runs recorded before are kept",
                                 file=str(path))) from None


def _explain(path: Path) -> str | None:
    """Why writing ``path`` failed, when the library that wrote it did not say: the file reached the file-size
    limit, or the disk is full.  None when neither explains it."""
    soft, _ = resource.getrlimit(resource.RLIMIT_FSIZE)
    with contextlib.suppress(OSError):
        if soft != resource.RLIM_INFINITY and path.exists() and path.stat().st_size >= soft - 65_536:
            return _WRITE_REASONS[errno.EFBIG]
        if shutil.disk_usage(path.parent).free < 1_048_576:
            return _WRITE_REASONS[errno.ENOSPC]
    return None


@contextlib.contextmanager
def scratch_file(name: str) -> Iterator[Path]:
    """A path in a temporary folder, for a library that only writes to paths (GDAL writing a GeoPackage).

    The folder is removed afterwards.  A failure inside that a full disk or the file-size
    limit explains (GDAL's own errors do not say) becomes an InputError that says so.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        try:
            yield path
        except InputError:
            raise
        except Exception as error:
            reason = out_of_space(error) or _explain(path)
            if reason:
                raise InputError(Problem(f"cannot be written ({reason}); no file was changed", file=name)) from None
            raise
