"""The pipeline's stages: what each runs, iterates over, reads and writes. Both engines are built from this table.

A stage reruns exactly when its inputs change: its data, the values at its
params keys, or its code, the import closure of its own modules
(:mod:`aelab.pipeline.code`). The Snakemake rules take their ``params`` (the
values at the stage's keys, defaults of the typed params included) and their
code inputs from here; ``dvc.yaml`` is generated from here
(:mod:`aelab.pipeline.dvc_yaml`), with every path from :mod:`aelab.paths`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aelab import paths
from aelab.config.tasks import TASKS
from aelab.pipeline.code import ROOT, closure_files

if TYPE_CHECKING:
    from aelab.config.params import Params

SUBJECT = "{subject}"
"""Stands for the stage's foreach key in its params keys (DVC's ``${key}``/``${item}``, the rule's wildcard): a
dataset, an image set or a variant."""
IN_REPOSITORY = "src/aelab"
"""The code's folder in the repository, as dvc.yaml names it (relative to the repository root)."""

Outputs = dict[str, list]
"""DVC's output sections of a stage (``outs``, ``metrics``, ``plots``): paths, or {path: options}."""
UNCACHED = {"cache": False}
"""Small files git keeps (metrics, loss histories), so ``dvc metrics diff`` and ``dvc plots diff`` compare commits."""


@dataclass(frozen=True)
class Stage:
    modules: tuple[str, ...]
    """The stage's own modules: its code is their import closure."""
    params: tuple[str, ...] = ()
    """Dotted params keys, ``{subject}`` standing for the stage's subject."""
    foreach: str | None = None
    """The params section DVC iterates over (a mapping: its keys; a list: its items)."""
    command: str = ""
    """``python -m aelab <command> <subject>`` (default: the stage's name)."""
    options: str = ""
    """Arguments after the subject."""
    deps: Callable[[str], list[str]] = lambda subject: []
    """Data dependencies, as DVC paths, of the subject placeholder."""
    outputs: Callable[[str], Outputs] = lambda subject: {}
    files: tuple[str, ...] = ()
    """Files the code reads besides its modules (templates), relative to the package."""
    note: str = ""
    """Why the stage looks as it does, for the reader of dvc.yaml."""

    def keys(self, subject: str) -> list[str]:
        return [key.replace(SUBJECT, subject) for key in self.params]

    def code(self, root: Path = ROOT) -> list[Path]:
        """Every source file the stage runs, in the package directory ``root``."""
        return [*closure_files(self.modules, root), *(root / file for file in self.files)]


def dataset_outputs(dataset: str) -> Outputs:
    return {
        "outs": [str(paths.processed_file(dataset)), str(paths.dataset_samples(dataset))],
        "metrics": [{str(paths.dataset_manifest(dataset)): UNCACHED}],
    }


TRAINING_INPUTS = ("training", "variants.{subject}")


def task_stage(task: str) -> Stage:
    """An evaluation task's stage: the task's module on each variant the params select for it."""
    settings = [name for name in TASKS[task].settings.model_fields if name not in ("variants", "classifier")]
    foreach = "variants" if task == "reconstruction" else f"evaluation.{task}.variants"
    return Stage(
        modules=("aelab.evaluation.stage", f"aelab.evaluation.{task}"),
        params=(
            "variants.{subject}.seeds",
            "evaluation.batch_size",
            *(f"evaluation.{task}.{name}" for name in settings),
        ),
        foreach=foreach,
        command=f"evaluate {task}",
        deps=lambda subject: [str(paths.checkpoints_dir(subject)), *TASK_INPUTS.get(task, lambda s: [])(subject)],
        outputs=lambda subject: {
            "outs": [str(paths.task_figures(subject, task))],
            "metrics": [{str(paths.task_metrics(subject, task)): UNCACHED}],
        },
    )


TASK_INPUTS: dict[str, Callable[[str], list[str]]] = {
    "reconstruction": lambda subject: [str(paths.history_dir(subject))],
    "anomaly": lambda subject: [str(paths.processed_file("${evaluation.anomaly.dataset}"))],
    # DVC cannot look up a variant's dataset from here: every classifier is an input.
    "sample_quality": lambda subject: [str(paths.classifiers_dir())],
}
"""What a task reads besides the variant's models, in DVC's terms (the Snakemake rule has its own lookups)."""


STAGES: dict[str, Stage] = {
    "check": Stage(
        modules=("aelab.config.loading", "aelab.site"),
        deps=lambda subject: [str(paths.PARAMS)],
        note="params.yaml (and the site settings) checked whenever the file changes, also when no stage reads the "
        "changed key: DVC compares only the keys each stage lists, so a misspelled or stale key would pass silently "
        "(Snakemake checks the whole file every time it starts).",
    ),
    "download": Stage(
        modules=("aelab.data.fetch",),
        foreach="datasets.idx",
        outputs=lambda subject: {"outs": [str(paths.raw_dir(subject))]},
    ),
    "preprocess": Stage(
        modules=("aelab.data.preprocess",),
        params=("datasets.idx.{subject}",),
        foreach="datasets.idx",
        deps=lambda subject: [str(paths.raw_dir(subject))],
        outputs=dataset_outputs,
    ),
    "colourise": Stage(
        modules=("aelab.data.cmnist",),
        params=("datasets.cmnist.{subject}",),
        foreach="datasets.cmnist",
        deps=lambda subject: [str(paths.processed_file("${item.source}"))],
        outputs=dataset_outputs,
    ),
    "pool_cmnist": Stage(
        modules=("aelab.data.cmnist",),
        params=("datasets.cmnist", "datasets.cmnist_pooled.{subject}"),
        foreach="datasets.cmnist_pooled",
        # CMNIST is generated from mnist only (the params schema allows no other source).
        deps=lambda subject: [str(paths.processed_file("mnist"))],
        outputs=dataset_outputs,
        note="The levels are generated again from their settings (every level's params are read), from their "
        "source, mnist: DVC cannot look up the first level's source from here.",
    ),
    "download_coco": Stage(
        modules=("aelab.data.coco",),
        foreach="datasets.coco_image_sets",
        outputs=lambda subject: {"outs": [str(paths.coco_raw_dir(subject))]},
    ),
    "preprocess_coco": Stage(
        modules=("aelab.data.coco",),
        params=("datasets.coco.{subject}",),
        foreach="datasets.coco",
        deps=lambda subject: [str(paths.coco_raw_root())],
        outputs=dataset_outputs,
    ),
    "train": Stage(
        modules=("aelab.training.stage",),
        params=TRAINING_INPUTS,
        foreach="variants",
        deps=lambda subject: [str(paths.processed_file("${item.dataset}"))],
        outputs=lambda subject: {
            "outs": [str(paths.checkpoints_dir(subject)), {str(paths.history_dir(subject)): UNCACHED}],
            "metrics": [{str(paths.train_metrics(subject)): UNCACHED}],
        },
    ),
    "crossvalidate": Stage(
        modules=("aelab.training.crossval",),
        params=(
            *TRAINING_INPUTS,
            "evaluation.crossval.folds",
            "evaluation.crossval.seed",
            "evaluation.crossval.epochs",
        ),
        foreach="evaluation.crossval.variants",
        deps=lambda subject: [str(paths.processed_dir())],
        outputs=lambda subject: {"metrics": [{str(paths.crossval_metrics(subject)): UNCACHED}]},
        note="A listed variant's dataset cannot be looked up from here: every processed dataset is an input.",
    ),
    "devices": Stage(
        modules=("aelab.training.devices",),
        params=(
            *TRAINING_INPUTS,
            "evaluation.batch_size",
            "evaluation.latent.points",
            "evaluation.reconstruction.shown",
            "evaluation.generation.samples",
        ),
        foreach="evaluation.devices.variants",
        options="--devices cpu cuda",
        deps=lambda subject: [str(paths.processed_dir())],
        outputs=lambda subject: {
            "outs": [str(paths.devices_figures(subject))],
            "plots": [{str(paths.devices_history_dir(subject)): UNCACHED | {"x": "epoch", "y": "test_loss"}}],
            "metrics": [{str(paths.devices_metrics(subject)): UNCACHED}],
        },
        note="The devices are the stage's argument: a machine without a GPU compares the CPU alone.",
    ),
    "train_classifier": Stage(
        modules=("aelab.classifier.stage",),
        params=("evaluation.sample_quality.classifier.seed", "evaluation.sample_quality.classifier.training"),
        foreach="evaluation.sample_quality.classifier.datasets",
        options="--threads 1",
        deps=lambda subject: [str(paths.processed_file(subject))],
        outputs=lambda subject: {
            "outs": [str(paths.classifier_model(subject))],
            "metrics": [{str(paths.classifier_metrics(subject)): UNCACHED}],
        },
        note="One thread, whatever the site gives other stages: the classifier is every study's yardstick, and one "
        "built on two threads rounds differently, so its sample-quality scores would not compare with the others.",
    ),
    **{task: task_stage(task) for task in TASKS},
    "report": Stage(
        modules=("aelab.report.build",),
        # The report shows every section of the study: titles, seeds, settings, choices.
        params=("datasets", "training", "evaluation", "variants", "studies"),
        deps=lambda subject: [str(paths.RESULTS / folder) for folder in ("datasets", "variants", "history")],
        outputs=lambda subject: {"outs": [str(paths.report_dir())]},
        files=("report/templates/report.html",),
    ),
}


def value(params: Params, key: str) -> Any:
    """The (resolved, defaults included) value at a dotted key, as plain JSON data."""
    node: Any = params.model_dump(mode="json")
    for part in key.split("."):
        node = node[part]
    return node


def settings(params: Params, stage: str, subject: str = "") -> str:
    """The values a stage reads, as one string: Snakemake reruns the job when it changes."""
    return json.dumps({key: value(params, key) for key in STAGES[stage].keys(subject)}, sort_keys=True)


@cache
def code_digest(stage: str, repository: Path) -> str:
    """The sha256 of a stage's code in the repository at ``repository``: each file's path inside the package and
    its bytes. Snakemake reruns a job when it changes (a params value), by content as DVC does: a file touched
    without change, or a study folder at another depth, reruns nothing."""
    package = repository.resolve() / IN_REPOSITORY
    digest = hashlib.sha256()
    for file in STAGES[stage].code(package):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def code_files(stage: str, repository: Path) -> list[str]:
    """The source files a stage runs, in the repository at ``repository``, absolute (so they resolve from any
    working directory): Snakemake reruns the job when one is newer."""
    return [str(file) for file in STAGES[stage].code(repository.resolve() / IN_REPOSITORY)]


def dvc_code(stage: str) -> list[str]:
    """The source files a stage runs, as dvc.yaml lists them (relative to the repository root)."""
    return [f"{IN_REPOSITORY}/{file.relative_to(ROOT).as_posix()}" for file in STAGES[stage].code()]
