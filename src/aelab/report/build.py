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
from aelab.config import Params
from aelab.io import write_text

FIGURE_CAPTIONS = {
    "loss_curves": "Loss per epoch, train and test: the curves should fall and flatten; a widening gap is overfitting.",
    "reconstructions": "Test images (top) and their reconstructions (bottom).",
    "latent_scatter": "Test-set codes coloured by class: separated clusters mean the latent space encodes the digit.",
    "latent_grid": "Decoded regular grid over the latent square: a smooth morph between digits means a continuous latent space.",
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
    datasets = datasets_table(params)
    sections = [_variant_section(params, variant_id) for variant_id in params.variants]
    environment = Environment(loader=PackageLoader("aelab.report"), autoescape=select_autoescape())
    html = environment.get_template("report.html").render(
        provenance=_provenance(params_file),
        metrics_html=metrics.to_html(float_format=lambda v: f"{v:.4g}", classes="metrics", border=0),
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
        evaluation = json.loads(paths.eval_metrics(variant_id).read_text())
        cost = json.loads(paths.train_metrics(variant_id).read_text())
        rows[variant_id] = evaluation | cost
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
    for name, caption in FIGURE_CAPTIONS.items():
        figure = paths.figures_dir(variant_id) / f"{name}.png"
        if figure.exists():
            section.figures.append((name, caption, _data_uri(figure)))
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
