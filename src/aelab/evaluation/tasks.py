"""Evaluation tasks by name: the module ``aelab.evaluation.<task>`` holds its :class:`Task`, ``TASK``.

The tasks' settings and what each applies to are :data:`aelab.config.tasks.TASKS`;
a task's module is found by its name, so adding a task needs no registry here.
A task maps one trained seed to flat metrics and draws its figures when asked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aelab import paths
from aelab.config.tasks import TASKS
from aelab.io import atomic_path
from aelab.plotting.figures import save

if TYPE_CHECKING:
    from pathlib import Path

    from matplotlib.figure import Figure

    from aelab.evaluation.context import Context


class FigureWriter:
    """Where a task's figures of one seed go: ``<folder>/<name>_seed<k>.png`` (every figure names its seed)."""

    def __init__(self, folder: Path, seed: int):
        self.folder, self.seed = folder, seed

    def save(self, figure: Figure, name: str) -> None:
        save(figure, self.folder / paths.figure_file(name, self.seed))

    def save_arrays(self, name: str, **arrays: np.ndarray) -> None:
        """The arrays a figure was drawn from, where the report draws several variants' side by side."""
        with (
            atomic_path(self.folder / paths.figure_arrays_file(name, self.seed)) as temporary,
            open(temporary, "wb") as stream,
        ):
            np.savez(stream, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds like allow_pickle


TaskFunction = Callable[["Context", FigureWriter | None], dict[str, float]]


@dataclass(frozen=True)
class Task:
    run: TaskFunction
    """One seed's model -> flat metrics; draws into the writer unless it is None."""
    figures: tuple[str, ...]
    """The figures it may draw (some only for some models: CMNIST's colour views, an AE's second sampler)."""
    per_seed: tuple[str, ...] = ()
    """Metrics also kept for each seed (``<name>_seed<k>``), where the mean hides what matters: which seeds'
    models use their latent dimensions, say."""
    every_seed_drawn: bool = False
    """Figures of every seed, not only of the first (where seeds differ in what the figure shows)."""


def task(name: str) -> Task:
    """The :class:`Task` of the task's module (the name is checked against the table first)."""
    if name not in TASKS:
        raise KeyError(f"unknown evaluation task {name!r}; tasks: {', '.join(TASKS)}")
    return importlib.import_module(f"aelab.evaluation.{name}").TASK
