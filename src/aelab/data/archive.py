"""Safe extraction of downloaded archives.

A member named ``../x`` or ``/x`` would write outside the target directory
("zip slip"). Python's zipfile silently rewrites such names; we refuse the whole
archive instead, checking every member before anything is written.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from aelab.errors import UserError


class UnsafeArchiveError(UserError):
    """An archive member would land outside the extraction directory."""


def safe_extract(archive: Path, target: Path) -> list[Path]:
    """Verify every member's CRC and path, then extract; returns the extracted files."""
    root = target.resolve()
    with zipfile.ZipFile(archive) as bundle:
        for name in bundle.namelist():
            destination = (root / name).resolve()
            if Path(name).is_absolute() or not destination.is_relative_to(root):
                raise UnsafeArchiveError(f"{archive}: member {name!r} escapes {target}; refusing to extract")
        broken = bundle.testzip()
        if broken is not None:
            raise UserError(f"{archive}: member {broken!r} fails its CRC check; the download is corrupt")
        bundle.extractall(root)
        return [root / info.filename for info in bundle.infolist() if not info.is_dir()]
