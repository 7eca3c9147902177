"""Every artefact path of the pipeline, as a function of the ids it depends on.

The Snakefile builds its rules from these functions and the CLI writes to them,
so a path is spelled once. dvc.yaml has to repeat them literally to build its
DAG; ``test_snakemake_and_dvc_plan_the_same_commands_and_outputs`` in
``tests/workflow/test_engines.py`` checks that both engines agree.
All paths are relative to the project root (the working directory of both engines).
"""

from pathlib import Path

DATA = Path("data")
RESULTS = Path("results")


def raw_dir(dataset: str) -> Path:
    """Verified downloads of one dataset, as published (compressed)."""
    return DATA / "raw" / dataset


def coco_raw_dir(image_set: str) -> Path:
    """The JPEGs of one COCO 2017 image set (val2017, train2017)."""
    return DATA / "raw" / "coco" / image_set


def processed_file(dataset: str) -> Path:
    """One array file per dataset: uint8 NCHW images and int64 labels, train and test."""
    return DATA / "processed" / f"{dataset}.npz"


def dataset_manifest(dataset: str) -> Path:
    """Counts, shape and skipped files of a processed dataset (a DVC metric; shown in the report)."""
    return RESULTS / "datasets" / f"{dataset}.json"


def dataset_samples(dataset: str) -> Path:
    """A grid of sample images of a processed dataset."""
    return RESULTS / "datasets" / f"{dataset}.png"


def variant_dir(variant: str) -> Path:
    return RESULTS / "variants" / variant


def checkpoint(variant: str) -> Path:
    """Finished model: ``state_dict`` plus the resolved variant config."""
    return variant_dir(variant) / "model.pt"


def history(variant: str) -> Path:
    """Per-epoch loss terms, train and test. All variants share one folder: it is one DVC plot."""
    return RESULTS / "history" / f"{variant}.csv"


def train_metrics(variant: str) -> Path:
    """Cost of training: seconds per epoch, device, final losses (a DVC metric)."""
    return variant_dir(variant) / "train.json"


def eval_metrics(variant: str) -> Path:
    """Test-set reconstruction metrics (a DVC metric)."""
    return variant_dir(variant) / "metrics.json"


def figures_dir(variant: str) -> Path:
    """Evaluation figures; which ones exist depends on the model (e.g. a 2-D latent)."""
    return variant_dir(variant) / "figures"


def report_html() -> Path:
    """The self-contained HTML report of the whole study."""
    return RESULTS / "report" / "index.html"
