"""What each pipeline stage reads besides its data: the params keys and the code whose change must rerun it.

Both engines rerun a stage exactly when one of these changes. Snakemake rules
take their ``params`` (the values at these keys, defaults of the typed params
included) and their code inputs from this table (``workflow/rules/``).
dvc.yaml, which DVC needs literal, lists the same keys and code paths, and
``tests/workflow/test_engines.py`` checks that it does. The code of the
params modules that hold a section's defaults is part of each stage's code,
so a changed default reruns what it shapes under DVC too (Snakemake sees it in
the resolved values as well).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aelab.config.tasks import TASKS

if TYPE_CHECKING:
    from aelab.config import Params

SUBJECT = "{subject}"
"""Stands for the stage's foreach key (DVC's ``${key}``/``${item}``, the rule's wildcard): a dataset, an image
set or a variant."""
IN_REPOSITORY = "src/aelab"
"""The code's folder in the repository, as dvc.yaml names it (relative to the repository root)."""


@dataclass(frozen=True)
class Reads:
    params: tuple[str, ...]
    """Dotted params keys, ``{subject}`` standing for the stage's subject."""
    code: tuple[str, ...]
    """Files and folders of the aelab package (folders: every file in them)."""

    def keys(self, subject: str) -> list[str]:
        return [key.replace(SUBJECT, subject) for key in self.params]

    def dvc_deps(self) -> set[str]:
        """The code paths as dvc.yaml lists them."""
        return {f"{IN_REPOSITORY}/{path}" for path in self.code}


DATA = ("data/publish.py", "plotting/datasets.py", "config/datasets.py")
TRAINING = (
    "models",
    "training",
    "noise.py",
    "data/loading.py",
    "config/models.py",
    "config/noise.py",
    "config/training.py",
)
EVALUATION = ("evaluation", "plotting", "config/tasks.py", "config/noise.py")
TASK_CODE = {"sample_quality": ("classifier",)}
"""Code a task reads besides the evaluation's."""


def _task_reads(task: str) -> Reads:
    settings = [name for name in TASKS[task].settings.model_fields if name not in ("variants", "classifier")]
    keys = ("variants.{subject}.seeds", "evaluation.batch_size", *(f"evaluation.{task}.{name}" for name in settings))
    return Reads(keys, EVALUATION + TASK_CODE.get(task, ()))


STAGES: dict[str, Reads] = {
    "check": Reads((), ("config",)),
    "download": Reads((), ("data/fetch.py", "data/sources.py")),
    "preprocess": Reads(("datasets.idx.{subject}",), ("data/idx.py", "data/preprocess.py", *DATA)),
    "colourise": Reads(("datasets.cmnist.{subject}",), ("data/cmnist.py", *DATA)),
    "pool_cmnist": Reads(("datasets.cmnist", "datasets.cmnist_pooled.{subject}"), ("data/cmnist.py", *DATA)),
    "download_coco": Reads((), ("data/archive.py", "data/coco.py")),
    "preprocess_coco": Reads(("datasets.coco.{subject}",), ("data/coco.py", *DATA)),
    "train": Reads(("training", "variants.{subject}"), TRAINING),
    "crossvalidate": Reads(
        (
            "training",
            "variants.{subject}",
            "evaluation.crossval.folds",
            "evaluation.crossval.seed",
            "evaluation.crossval.epochs",
        ),
        TRAINING,
    ),
    "devices": Reads(
        ("training", "variants.{subject}", "evaluation.batch_size", "evaluation.latent.points"), (*TRAINING, "plotting")
    ),
    "train_classifier": Reads(
        ("evaluation.sample_quality.classifier.seed", "evaluation.sample_quality.classifier.training"),
        ("classifier", "training", "config/training.py"),
    ),
    **{task: _task_reads(task) for task in TASKS},
    # The report shows every section of the study: titles, seeds, settings, choices.
    "report": Reads(("datasets", "training", "evaluation", "variants", "studies"), ("report", "config")),
}


def value(params: Params, key: str) -> object:
    """The (resolved, defaults included) value at a dotted key, as plain JSON data."""
    node: object = params.model_dump(mode="json")
    for part in key.split("."):
        node = node[part]
    return node


def settings(params: Params, stage: str, subject: str = "") -> str:
    """The values a stage reads, as one string: Snakemake reruns the job when it changes."""
    return json.dumps({key: value(params, key) for key in STAGES[stage].keys(subject)}, sort_keys=True)


def code_files(stage: str, repository: Path) -> list[str]:
    """The source files a stage runs (folders expanded), in the repository at ``repository`` (absolute, so they
    resolve from any working directory): Snakemake reruns the job when one is newer."""
    files = []
    for path in (repository.resolve() / IN_REPOSITORY / code for code in STAGES[stage].code):
        files += sorted(str(file) for file in path.rglob("*.py")) if path.is_dir() else [str(path)]
    return files
