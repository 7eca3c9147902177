"""Atomic file writes: a reader never sees a half-written artefact.

Everything the pipeline produces is written to a temporary file in the target
directory and renamed into place, so an interrupted run leaves the previous
good file (or nothing), never a partial one that a later step could trust.
"""

from __future__ import annotations

import errno
import json
import logging
import math
import os
import pickle
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from aelab.errors import UserError

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class DiskFull(UserError):
    """The disk filled up while an artefact was written; the previous artefact is intact."""


FULL_BELOW = 1 << 20
"""Free bytes under which a failed write is put down to a full disk (torch.save reports one without an errno)."""


def _disk_full(error: Exception, directory: Path) -> bool:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return True
    return isinstance(error, RuntimeError) and shutil.disk_usage(directory).free < FULL_BELOW


@contextmanager
def _reporting_a_full_disk(target: Path) -> Iterator[None]:
    try:
        yield
    except (OSError, RuntimeError) as error:
        if not _disk_full(error, target.parent):
            raise
        raise DiskFull(
            f"no space left on device while writing {target} ({error}); nothing was replaced. "
            f"Free some space on the file system of {target.parent.resolve()}, then run again."
        ) from None


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(handle)
    temporary = Path(name)
    temporary.chmod(0o666 & ~_umask())  # mkstemp creates 0600; artefacts get the usual mode
    try:
        with _reporting_a_full_disk(target):
            yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def write_json(target: str | Path, payload: dict) -> None:
    """Strict JSON: a value that is not a finite number is written as ``null`` (never ``NaN``/``Infinity``,
    which strict parsers refuse), and named in a warning."""
    with atomic_path(target) as temporary:
        text = json.dumps(_finite(payload, target), indent=2, sort_keys=True, allow_nan=False)
        temporary.write_text(text + "\n")


def _finite(value: object, target: str | Path, key: str = "") -> object:
    if isinstance(value, float) and not math.isfinite(value):
        log.warning("%s: %s is %s, not a finite number; written as null", target, key or "a value", value)
        return None
    if isinstance(value, dict):
        return {name: _finite(item, target, f"{key}.{name}" if key else str(name)) for name, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item, target, key) for item in value]
    return value


def write_text(target: str | Path, text: str) -> None:
    with atomic_path(target) as temporary:
        temporary.write_text(text)


@contextmanager
def atomic_directory(target: str | Path) -> Iterator[Path]:
    """Yield an empty staging directory; it replaces ``target`` as a whole on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    staging.chmod(0o777 & ~_umask())
    try:
        with _reporting_a_full_disk(target):
            yield staging
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class ResultError(UserError):
    """A result on disk cannot be used (damaged, missing, written for another run): the message names the file,
    and the CLI adds the command that rebuilds exactly that file (:mod:`aelab.pipeline.producers`)."""

    def __init__(self, path: str | Path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)


class UnreadableFile(ResultError):
    """An artefact on disk is truncated, damaged or not what its name says."""


def read_json(path: str | Path) -> dict:
    """A metrics (or bookkeeping) JSON file; a damaged one is an error naming it."""
    try:
        return json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnreadableFile(path, f"not valid JSON ({error}); it is truncated or damaged") from None


def read_torch_file(path: Path, device: torch.device) -> object:
    """``torch.load(path, weights_only=True)``, with an error that names the file instead of a traceback."""
    import torch

    if not path.is_file():
        raise UnreadableFile(path, "missing")
    try:
        return torch.load(path, map_location=device, weights_only=True)
    except pickle.UnpicklingError as error:  # weights_only refuses anything but tensors and plain values
        raise UnreadableFile(
            path,
            "refused, it holds more than tensors and plain values (torch.load with "
            f"weights_only=True: {str(error).splitlines()[0]}); never load it with weights_only=False",
        ) from None
    except (RuntimeError, EOFError, OSError, ValueError, zipfile.BadZipFile) as error:
        raise UnreadableFile(
            path, f"cannot be read ({type(error).__name__}: {str(error).splitlines()[0]}); it is truncated or damaged"
        ) from None
