"""Assemble the self-contained HTML report from the artefacts the stages wrote.

Figures are embedded as base64 data URIs so the single file can be mailed or
published as it is. The report shows only what exists: a variant whose model
has no 2-D latent simply has no scatter figure, never a broken image.
"""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from aelab import paths
from aelab.config import EVALUATION_TASKS, Params
from aelab.io import write_text

FIGURE_CAPTIONS = {
    ("reconstruction", "loss_curves"): "Loss per epoch, train and test: the curves should fall and flatten; a widening gap is overfitting.",
    ("reconstruction", "reconstructions"): "Test images (top) and their reconstructions (bottom).",
    ("latent", "latent"): "Test-set codes by class (1-D: histograms; 3-D: projections; >3-D: t-SNE): separated clusters mean the code carries the class.",
    ("manifold", "manifold"): "Images decoded from a regular grid of codes: a smooth morph means a continuous latent space.",
    ("generation", "samples"): "Decoded samples of the prior (VAE) or of a Gaussian fitted to the training codes (AE): do they look like data?",
    ("generation", "noise_samples"): "Codes drawn from N(5, 1): only a VAE's decoder has learnt to make digits of random vectors.",
    ("inpainting", "inpainting"): "Holes zeroed in test images and the model's fill-in.",
    ("denoising", "denoising"): "Noisy test images and the model's outputs, per noise model.",
    ("anomaly", "error_histogram"): "Reconstruction error of in-distribution and anomalous test images: the less they overlap, the better the detector.",
    ("anomaly", "anomalies"): "Anomalies and their reconstructions: they come out as digits.",
    ("diagnostics", "kl_per_dimension"): "KL per latent dimension; grey bars are inactive (collapsed) units.",
}
LIBRARIES = ("torch", "torchvision", "numpy", "scikit-learn", "snakemake", "dvc")


@dataclass
class DatasetSection:
    dataset_id: str
    samples_uri: str
    skipped_files: list[dict]


@dataclass
class VariantSection:
    variant_id: str
    description: str
    figures: list[tuple[str, str, str]] = field(default_factory=list)  # (name, caption, data URI)


def build_report(params: Params, params_file: Path) -> Path:
    metrics = metrics_table(params)
    tasks = {task: task_table(params, task) for task in EVALUATION_TASKS[1:]}
    datasets = datasets_table(params)
    sections = [_variant_section(params, variant_id) for variant_id in params.variants]
    environment = Environment(loader=PackageLoader("aelab.report"), autoescape=select_autoescape())
    html = environment.get_template("report.html").render(
        provenance=_provenance(params_file),
        metrics_html=metrics.to_html(float_format=lambda v: f"{v:.4g}", classes="metrics", border=0),
        task_tables={task: table.to_html(float_format=lambda v: f"{v:.4g}", classes="metrics", border=0)
                     for task, table in tasks.items() if not table.empty},
        datasets_html=datasets.drop(columns="skipped_files").to_html(classes="datasets", border=0),
        datasets=[_dataset_section(dataset_id, row.skipped_files) for dataset_id, row in datasets.iterrows()],
        sections=sections,
    )
    write_text(paths.report_html(), html)
    return paths.report_html()


def metrics_table(params: Params) -> pd.DataFrame:
    """One row per variant: its evaluation metrics and training cost, straight from the JSON files."""
    rows = {}
    for variant_id in params.variants:
        evaluation = json.loads(paths.task_metrics(variant_id, "reconstruction").read_text())
        cost = json.loads(paths.train_metrics(variant_id).read_text())
        rows[variant_id] = evaluation | cost
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variant")


def task_table(params: Params, task: str) -> pd.DataFrame:
    """One row per variant the task evaluated, straight from its metrics JSON."""
    rows = {variant_id: json.loads(paths.task_metrics(variant_id, task).read_text())
            for variant_id in params.task_variants(task)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("variant")


def datasets_table(params: Params) -> pd.DataFrame:
    """One row per declared dataset, from its manifest."""
    rows = {dataset_id: json.loads(paths.dataset_manifest(dataset_id).read_text()) for dataset_id in params.datasets.ids}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("dataset")
    table["image_shape"] = table["image_shape"].map(lambda shape: " x ".join(map(str, shape)))
    return table


def _dataset_section(dataset_id: str, skipped_files: list[dict]) -> DatasetSection:
    return DatasetSection(dataset_id, _data_uri(paths.dataset_samples(dataset_id)), skipped_files)


def _data_uri(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode("ascii")


def _variant_section(params: Params, variant_id: str) -> VariantSection:
    variant = params.variant(variant_id)
    model = ", ".join(f"{k}={v}" for k, v in variant.model.model_dump().items())
    training = params.training_for(variant_id)
    section = VariantSection(variant_id, f"{model}; dataset={variant.dataset}; epochs={training.epochs}")
    for (task, name), caption in FIGURE_CAPTIONS.items():
        figure = paths.task_figures(variant_id, task) / f"{name}.png"
        if figure.exists():
            section.figures.append((f"{task}-{name}", caption, _data_uri(figure)))
    return section


def _provenance(params_file: Path) -> dict[str, str]:
    return {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "git commit": _git_commit(),
        "params sha256": hashlib.sha256(params_file.read_bytes()).hexdigest()[:16],
        "libraries": ", ".join(f"{name} {version(name)}" for name in LIBRARIES),
    }


def _git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return result.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
