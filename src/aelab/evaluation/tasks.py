"""Evaluation tasks by name: ``aelab.evaluation.<task>.run(context, figures)`` maps a trained seed to flat metrics
(and draws its figures into ``figures`` unless it is None).

The tasks, their settings, what each applies to and what it reads are one table,
:data:`aelab.config.TASKS`; a task's module is found by its name, so adding a
task needs no registry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from aelab.config import TASKS
from aelab.evaluation.context import Context

TaskFunction = Callable[[Context, Path | None], dict[str, float]]


def task_function(name: str) -> TaskFunction:
    """The ``run`` function of the task's module (the name is checked against the table first)."""
    if name not in TASKS:
        raise KeyError(f"unknown evaluation task {name!r}; tasks: {', '.join(TASKS)}")
    return importlib.import_module(f"aelab.evaluation.{name}").run
