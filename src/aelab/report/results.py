"""``docs/results.md``: the study's results as they are published with the repository.

Written from the metrics git keeps (train.json, each task's metrics JSON, the
cross-validation and device comparisons) and params.yaml, so a fresh clone
regenerates the same file and a test checks that it does. Per study: a table
of headline metrics (mean ± std over seeds), the study's loss curves, and what
the numbers show, computed from them: the best variant on each metric and
whether its lead over the next is larger than their spread over seeds (when it
is not, the seeds have not decided the question).
"""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pandas as pd

from aelab import paths
from aelab.config.params import Params
from aelab.io import read_json, write_text
from aelab.report.columns import HIGHER, describe
from aelab.report.tables import MISSING, SPREAD, cell_text, metrics_frame

DOCS = Path("docs")
RESULTS_FILE = DOCS / "results.md"
FIGURES = DOCS / "results"
"""The few figures the page shows: each study's loss curves (small PNGs, copied from the report)."""

HEADLINE = {
    "train": ("final_test_loss", "seconds_per_epoch"),
    "reconstruction": ("bce", "mse", "r2", "psnr", "ssim"),
    "latent": ("silhouette", "silhouette_colour"),
    "diagnostics": ("active_units", "kl_total"),
    "sample_quality": ("frechet_distance", "confident_share"),
    "anomaly": ("roc_auc",),
    "crossval": ("loss",),
}
"""The metrics a study's table shows, by source; a column appears where some variant of the study has it."""


def headline_frame(variants: list[str]) -> pd.DataFrame:
    frames = []
    for source, keys in HEADLINE.items():
        where = {"train": paths.train_metrics, "crossval": paths.crossval_metrics}.get(
            source, partial(paths.task_metrics, task=source)
        )
        frame = metrics_frame(variants, where)
        kept = [column for key in keys for column in (key, key + SPREAD) if column in frame]
        frames.append(frame[kept])
    return pd.concat(frames, axis=1).reindex([v for v in variants if paths.train_metrics(v).exists()])


def markdown_table(frame: pd.DataFrame) -> list[str]:
    columns = [column for column in frame.columns if not column.endswith(SPREAD)]
    lines = ["| variant | " + " | ".join(describe(column).heading for column in columns) + " |"]
    lines.append("| --- |" + " --- |" * len(columns))
    for variant, values in frame.iterrows():
        cells = [cell_text(values[column], values.get(column + SPREAD)) for column in columns]
        lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    return lines


NOT_FINDINGS = ("seconds_per_epoch",)
"""Cost, not a result of the study: in the table, not among the findings."""
OWN_LOSS = ("final_test_loss", "loss")
"""Each variant's own objective: comparable only between variants that optimise the same one."""


def same_objective(params: Params, variants: list[str]) -> bool:
    """Whether the variants optimise the same kind of loss (reconstruction loss, and a KL term or none)."""
    kinds = {(params.variant(v).model.loss, params.variant(v).model.variational) for v in variants}
    return len(kinds) == 1


def findings(frame: pd.DataFrame, comparable_losses: bool) -> list[str]:
    """For each metric with a better direction: the best variant, and whether the seeds decided it."""
    sentences = []
    skipped = NOT_FINDINGS + (() if comparable_losses else OWN_LOSS)
    for column in (c for c in frame.columns if not c.endswith(SPREAD) and c not in skipped):
        better = describe(column).better
        values = pd.to_numeric(frame[column], errors="coerce").dropna()
        if better is None or len(values) < 2 or values.nunique() < 2:
            continue
        ranked = values.sort_values(ascending=better != HIGHER)
        (best, second), (first, runner_up) = ranked.index[:2], ranked.iloc[:2]
        spread = sum(_spread(frame, variant, column) for variant in (best, second))
        shown = f"{best} ({cell_text(first, _spread(frame, best, column) or None)})"
        other = f"{second} ({cell_text(runner_up, _spread(frame, second, column) or None)})"
        if spread == 0:
            verdict = "one seed each, so the seeds cannot tell whether that holds"
        elif abs(first - runner_up) > spread:
            verdict = "a lead larger than their spread over seeds"
        else:
            verdict = "a lead smaller than their spread over seeds: not decided by these seeds"
        sentences.append(f"- {describe(column).label}: best {shown}, then {other}; {verdict}.")
    return sentences


def _spread(frame: pd.DataFrame, variant: str, column: str) -> float:
    value = frame.at[variant, column + SPREAD] if column + SPREAD in frame else None
    return 0.0 if value is None or pd.isna(value) else float(value)


def data_sizes(params: Params, variants: list[str]) -> str:
    """The images the variants trained and were tested on, from the dataset manifests: a study run on a small
    mirror (one with a few hundred COCO images, say) shows as what it is."""
    sizes = []
    for dataset in sorted({params.variant(variant).dataset for variant in variants}):
        manifest = paths.dataset_manifest(dataset)
        if manifest.exists():
            counts = read_json(manifest)
            sizes.append(f"{dataset}, {counts['train_images']:,} training and {counts['test_images']:,} test images")
    return f"Data: {'; '.join(sizes) or MISSING}."


def results_markdown(params: Params) -> str:
    costs = metrics_frame(params.variants, paths.train_metrics)
    devices = sorted(set(costs["device"].dropna())) if "device" in costs else []
    lines = [
        "# Results of the study",
        "",
        "Generated by `python -m aelab results` from the metrics committed with the repository "
        "(`results/**/*.json`, the DVC metrics) and params.yaml; do not edit by hand. `dvc metrics show` lists "
        "every number, `dvc plots show` draws every loss curve. The choices behind the numbers are in "
        "[choices.md](choices.md); the study itself in [study.md](study.md).",
        "",
        f"Trained on: {', '.join(devices) or MISSING}. Numbers are means over a variant's seeds, ± one standard "
        "deviation where it has several; ↑ / ↓ say which direction is better.",
    ]
    for study_id, study in params.studies.items():
        frame = headline_frame(study.variants)
        lines += ["", f"## {study.title}", ""]
        if frame.empty:
            lines.append("Not run yet.")
            continue
        missing = [variant for variant in study.variants if variant not in frame.index]
        lines += markdown_table(frame)
        lines += ["", data_sizes(params, list(frame.index))]
        if missing:
            lines += ["", f"Not run yet: {', '.join(missing)}."]
        lines += ["", f"![Test loss per epoch of each variant]({FIGURES.name}/{study_id}.png)", ""]
        shown = findings(frame, same_objective(params, list(frame.index)))
        lines += ["What the numbers show:", ""] + (shown or ["- one variant: nothing to compare."])
    return "\n".join(lines) + "\n"


def publish_results(params: Params, root: Path = Path(".")) -> Path:
    """Write docs/results.md and copy each study's loss-curve figure from the report beside it."""
    (root / FIGURES).mkdir(parents=True, exist_ok=True)
    for study_id in params.studies:
        figure = root / paths.report_dir() / "figures" / "studies" / f"{study_id}.png"
        if figure.exists():
            shutil.copyfile(figure, root / FIGURES / f"{study_id}.png")
    write_text(root / RESULTS_FILE, results_markdown(params))
    return root / RESULTS_FILE
