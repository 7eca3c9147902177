"""What a report section holds: figures copied beside the page, and tables."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Figure:
    src: str
    caption: str
    anchor: str


@dataclass
class Table:
    name: str
    caption: str
    html: str


class FigureFolder:
    """Copies figures into the report's ``figures/`` folder and hands out their relative links."""

    def __init__(self, report_root: Path):
        self.root = report_root

    def add(self, source: Path, name: Path) -> str:
        target = self.root / "figures" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target.relative_to(self.root).as_posix()
