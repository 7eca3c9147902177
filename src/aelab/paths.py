"""Every artefact path of the pipeline, as a function of the ids it depends on.

The Snakefile builds its rules from these functions and the CLI writes to them,
so a path is spelled once. dvc.yaml has to repeat them literally to build its
DAG; ``test_snakemake_and_dvc_plan_the_same_commands_and_outputs`` in
``tests/workflow/test_engines.py`` checks that both engines agree.
All paths are relative to the project root (the working directory of both engines).
"""

from pathlib import Path


def _name(value: str) -> str:
    """``value`` as one part of a path: refused when it could lead out of its folder (a separator, ``..``).

    Every id that reaches a path comes from params.yaml or a command line; an
    argument such as ``../../results/x`` must not write outside the project's
    folders (a failure record once overwrote a published ``train.json`` that way).
    """
    if not value or value in (".", "..") or "/" in value or "\\" in value or "\0" in value:
        raise ValueError(f"{value!r} cannot name a file or folder of the study: it must be one plain name")
    return value


PARAMS = Path("params.yaml")
"""The study: every stage reads it from the working directory of its engine."""
DATA = Path("data")
RESULTS = Path("results")


def raw_dir(dataset: str) -> Path:
    """Verified downloads of one dataset, as published (compressed)."""
    return DATA / "raw" / _name(dataset)


def coco_raw_root() -> Path:
    """The COCO 2017 image sets."""
    return DATA / "raw" / "coco"


def coco_raw_dir(image_set: str) -> Path:
    """The JPEGs of one COCO 2017 image set (val2017, train2017)."""
    return coco_raw_root() / _name(image_set)


def processed_dir() -> Path:
    return DATA / "processed"


def processed_file(dataset: str) -> Path:
    """One array file per dataset: uint8 NCHW images and int64 labels, train and test."""
    return processed_dir() / f"{_name(dataset)}.npz"


def dataset_manifest(dataset: str) -> Path:
    """Counts, shape and skipped files of a processed dataset (a DVC metric; shown in the report)."""
    return RESULTS / "datasets" / f"{_name(dataset)}.json"


def dataset_samples(dataset: str) -> Path:
    """A grid of sample images of a processed dataset."""
    return RESULTS / "datasets" / f"{_name(dataset)}.png"


def variant_dir(variant: str) -> Path:
    return RESULTS / "variants" / _name(variant)


def checkpoints_dir(variant: str) -> Path:
    """The trained models of a variant, one per seed."""
    return variant_dir(variant) / "models"


def checkpoint(variant: str, seed: int) -> Path:
    """Finished model of one seed: ``state_dict`` plus the resolved variant config."""
    return checkpoints_dir(variant) / f"seed{seed}.pt"


def history_dir(variant: str) -> Path:
    """Per-epoch loss terms of every seed. All variants share ``results/history``: it is one DVC plot."""
    return RESULTS / "history" / _name(variant)


def history(variant: str, seed: int) -> Path:
    return history_dir(variant) / f"seed{seed}.csv"


def training_state(variant: str, seed: int) -> Path:
    """Resumable state after the last completed epoch. Outside every declared output, so
    neither Snakemake (which deletes the outputs of a failed job) nor DVC (which deletes
    a stage's outputs before running it) removes it; deleted once the variant is published."""
    return Path("state") / "train" / _name(variant) / f"seed{seed}.pt"


def train_metrics(variant: str) -> Path:
    """Cost of training: seconds per epoch, device, final losses (a DVC metric)."""
    return variant_dir(variant) / "train.json"


def task_metrics(variant: str, task: str) -> Path:
    """Flat metrics of one evaluation task, mean (and std) over seeds (a DVC metric)."""
    return variant_dir(variant) / "metrics" / f"{_name(task)}.json"


def task_figures(variant: str, task: str) -> Path:
    """Figures of one evaluation task (of the first seed, or of every seed where the task draws them all)."""
    return variant_dir(variant) / "figures" / _name(task)


def figure_file(name: str, seed: int) -> str:
    """The file of one figure of one seed: every figure names the seed it shows."""
    return f"{_name(name)}_seed{seed}.png"


def task_figure(variant: str, task: str, name: str, seed: int) -> Path:
    return task_figures(variant, task) / figure_file(name, seed)


def figure_arrays_file(name: str, seed: int) -> str:
    """The arrays one seed's figure was drawn from, kept beside it where the report combines variants."""
    return f"{_name(name)}_seed{seed}.npz"


def task_figure_arrays(variant: str, task: str, name: str, seed: int) -> Path:
    return task_figures(variant, task) / figure_arrays_file(name, seed)


def crossval_metrics(variant: str) -> Path:
    """Loss terms of k-fold cross-validation, mean and std over folds (a DVC metric)."""
    return variant_dir(variant) / "metrics" / "crossval.json"


def crossval_state(variant: str, fold: int) -> Path:
    """Resumable state of one cross-validation fold (see :func:`training_state`)."""
    return Path("state") / "crossval" / _name(variant) / f"fold{fold}.pt"


def classifiers_dir() -> Path:
    """The sample-quality classifiers, beside the datasets: the report's inputs are then three folders that every
    study has, which DVC needs to exist."""
    return RESULTS / "datasets" / "classifiers"


def classifier_dir(dataset: str) -> Path:
    """The sample-quality classifier of one labelled dataset."""
    return classifiers_dir() / _name(dataset)


def classifier_model(dataset: str) -> Path:
    return classifier_dir(dataset) / "model.pt"


def classifier_metrics(dataset: str) -> Path:
    """Test accuracy and cost of the classifier (a DVC metric)."""
    return classifier_dir(dataset) / "metrics.json"


def classifier_state(dataset: str) -> Path:
    """Resumable state of the classifier's training (see :func:`training_state`)."""
    return Path("state") / "classifier" / f"{_name(dataset)}.pt"


def timing_dir() -> Path:
    """Wall time and device of every stage run, written by the CLI under either engine (the report's
    provenance). Bookkeeping, not an artefact: no rule or stage declares it, so it never triggers a rerun."""
    return Path("logs") / "timing"


def stage_timing(stage: str, subject: str) -> Path:
    return timing_dir() / _name(stage) / f"{_name(subject)}.json"


def failures_dir() -> Path:
    """The error of every stage run that failed and has not succeeded since (bookkeeping, like the timings)."""
    return Path("logs") / "failures"


def stage_failure(stage: str, subject: str) -> Path:
    return failures_dir() / _name(stage) / f"{_name(subject)}.json"


def report_dir() -> Path:
    """The study report: ``index.html`` and the figures it shows, publishable as one folder."""
    return RESULTS / "report"


def report_html() -> Path:
    return report_dir() / "index.html"


def devices_dir(variant: str) -> Path:
    """CPU against GPU: the same variant and seed trained on each device the machine has."""
    return variant_dir(variant) / "devices"


def devices_metrics(variant: str) -> Path:
    """Seconds per epoch and final losses per device (a DVC metric)."""
    return devices_dir(variant) / "metrics.json"


def devices_history_dir(variant: str) -> Path:
    """Seconds and loss terms per epoch, one file per device and seed."""
    return devices_dir(variant) / "history"


def devices_history(variant: str, device: str, seed: int) -> Path:
    return devices_history_dir(variant) / f"{_name(device)}_seed{seed}.csv"


def devices_figures(variant: str) -> Path:
    """Loss curves per device; reconstructions, prior samples and codes of each device's model side by side."""
    return devices_dir(variant) / "figures"


def devices_state(variant: str, device: str, seed: int) -> Path:
    """Resumable state of one device's run of one seed (see :func:`training_state`)."""
    return Path("state") / "devices" / _name(variant) / f"{_name(device)}_seed{seed}.pt"
