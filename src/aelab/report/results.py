"""``docs/results.md``: the study's results as they are published with the repository.

Per study, as the results section of a paper: its question, its own tables
(:mod:`aelab.report.studies`: the layout that answers the question, mean ± std
over seeds), the data it ran on, its key figures, the findings a person wrote
(marked when the numbers changed since), and where its numbers came from.
Written from what git keeps: the metrics (train.json, each task's metrics JSON,
the cross-validation and device comparisons), the loss histories, dvc.lock,
params.yaml, the findings and the page's own figures. A fresh clone regenerates
the same file, and a test checks that it does. The figures are copied in from a
run's artefacts (DVC-tracked) where those exist, made small enough to commit.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from aelab import paths
from aelab.config.params import Params
from aelab.io import atomic_path, read_json, write_text
from aelab.report.captions import FIGURE_CAPTIONS, LOSS_CURVES_CAPTION, NOISE_DECODING_CAPTION
from aelab.report.conditions import differences, made_under, read_lock, study_conditions
from aelab.report.devices import FIGURES as DEVICE_FIGURES
from aelab.report.findings import CURRENT, MISSING, STALE, metrics_digest, read_findings
from aelab.report.layouts import TableData
from aelab.report.studies import Shown, StudyPage, page
from aelab.report.tables import MISSING as NO_VALUE
from aelab.report.tables import SPREAD, best_rows, cell_text, published, trained

log = logging.getLogger(__name__)

DOCS = Path("docs")
RESULTS_FILE = DOCS / "results.md"
FIGURES = DOCS / "results"
"""Each study's key figures, ``<study>/<name>.png``, small PNGs copied from the run's artefacts."""
FIGURE_BYTES = 150_000
"""The most a committed figure may weigh; a larger one is scaled down until it fits."""
STUDY_FIGURES = {
    "loss-curves": ("", LOSS_CURVES_CAPTION),
    "noise-decoding": ("-noise-decoding", NOISE_DECODING_CAPTION),
}
"""Figures the report draws per study: the suffix of their file in the report, and their caption."""


def markdown_table(table: TableData) -> list[str]:
    """A table in Markdown: headings in words with unit and direction, ``mean ± std`` cells, the best value of
    each column with a direction in bold."""
    frame, columns = table.frame, table.columns
    best = {column: best_rows(frame[column], table.heading(column).better) for column in columns}
    lines = ["| " + " | ".join([frame.index.name or "variant", *(table.heading(c).heading for c in columns)]) + " |"]
    lines.append("| --- |" + " --- |" * len(columns))
    for row, values in frame.iterrows():
        cells = []
        for column in columns:
            text = cell_text(values[column], values.get(column + SPREAD))
            cells.append(f"**{text}**" if row in best[column] and text != NO_VALUE else text)
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return lines


def study_tables(params: Params, study: StudyPage, variants: list[str]) -> list[TableData]:
    return [table for layout in study.tables for table in layout.tables(params, variants)]


@dataclass(frozen=True)
class PageFigure:
    source: Path
    """Where the run drew it (a DVC-tracked artefact, absent in a fresh clone)."""
    target: Path
    """Where the page keeps it, relative to docs/."""
    caption: str


def page_figures(params: Params, study_id: str, study: StudyPage, variants: list[str]) -> list[PageFigure]:
    """The study's key figures that can exist: those of variants of the study (the first seed's)."""
    figures = []
    for shown in study.figures:
        if shown.variant and shown.variant not in variants:
            continue
        source, caption = figure_source(params, study_id, shown)
        name = shown.name if shown.task == "study" else f"{shown.variant}-{shown.task}-{shown.name}"
        figures.append(PageFigure(source, FIGURES.relative_to(DOCS) / study_id / f"{name}.png", caption))
    return figures


def figure_source(params: Params, study_id: str, shown: Shown) -> tuple[Path, str]:
    if shown.task == "study":
        suffix, caption = STUDY_FIGURES[shown.name]
        return paths.report_dir() / "figures" / "studies" / f"{study_id}{suffix}.png", caption
    if shown.task == "devices":
        return paths.devices_figures(shown.variant) / f"{shown.name}.png", f"{shown.variant}: " + DEVICE_FIGURES[
            shown.name
        ]
    seed = params.seeds_for(shown.variant)[0]
    caption = f"{shown.variant}, seed {seed}: {FIGURE_CAPTIONS[(shown.task, shown.name)]}"
    return paths.task_figure(shown.variant, shown.task, shown.name, seed), caption


def small_png(source: Path, limit: int = FIGURE_BYTES) -> bytes:
    """The figure as a PNG of at most ``limit`` bytes: a 256-colour palette, then halved in size until it fits."""
    image = Image.open(source).convert("RGB")
    while True:
        buffer = io.BytesIO()
        image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            buffer, format="PNG", optimize=True
        )
        if buffer.tell() <= limit or min(image.size) < 64:
            return buffer.getvalue()
        image = image.resize((image.width * 3 // 4, image.height * 3 // 4), Image.Resampling.LANCZOS)


def copy_figures(figures: list[PageFigure]) -> None:
    """Bring each figure whose source the run left in beside the page (a figure already there stays, where its
    source is gone: a fresh clone keeps the committed one)."""
    for figure in figures:
        if figure.source.exists():
            with atomic_path(DOCS / figure.target) as temporary:
                temporary.write_bytes(small_png(figure.source))


def findings_lines(study_id: str, variants: list[str]) -> list[str]:
    findings = read_findings(study_id, metrics_digest(variants))
    lines = ["### Findings", ""]
    if findings.state == MISSING:
        return lines + [f"No findings written yet (docs/findings/{study_id}.md)."]
    if findings.state != CURRENT:
        when = "before these numbers changed" if findings.state == STALE else "without a record of its numbers"
        lines += [
            f"> **Written {when}:** read the tables again, correct the text, then "
            f"`python -m aelab findings --sign {study_id}`.",
            "",
        ]
    return lines + [findings.text]


def training_hours(params: Params, variants: list[str]) -> float:
    """Job time of the variants' training: seconds per epoch x epochs x seeds (the first epoch's warm-up aside)."""
    seconds = 0.0
    for variant in variants:
        record = read_json(paths.train_metrics(variant))
        seconds += record["seconds_per_epoch"] * params.training_for(variant).epochs * record.get("seeds", 1)
    return seconds / 3600


def seed_counts(params: Params, variants: list[str]) -> str:
    counts: dict[int, list[str]] = {}
    for variant in variants:
        counts.setdefault(len(params.seeds_for(variant)), []).append(variant)
    if len(counts) == 1:
        count = next(iter(counts))
        return f"{count} seed{'s' if count > 1 else ''} per variant"
    return "; ".join(f"{count} seed(s): {', '.join(held)}" for count, held in sorted(counts.items()))


def data_text(params: Params, study: StudyPage, variants: list[str]) -> str:
    """The images the variants trained and were tested on, from the dataset manifests, with what a reader must
    know of them beyond their counts."""
    sizes, totals = [], set()
    for dataset in sorted({params.variant(variant).dataset for variant in variants}):
        manifest = paths.dataset_manifest(dataset)
        if manifest.exists():
            counts = read_json(manifest)
            totals.add(counts["train_images"] + counts["test_images"] + counts.get("skipped_images", 0))
            sizes.append(f"{dataset}, {counts['train_images']:,} training and {counts['test_images']:,} test images")
    text = f"**Data:** {'; '.join(sizes) or NO_VALUE}."
    note = study.data_note
    return text + (f" {note.text}" if note and totals == {note.images} else "")


def provenance_lines(params: Params, variants: list[str], lock: dict) -> list[str]:
    conditions = study_conditions(variants, lock)
    hours, seeds = training_hours(params, variants), seed_counts(params, variants)
    return [
        " ".join(["**Provenance.**", made_under(conditions), *(f"**{text}**" for text in differences(conditions))]),
        f"Training took {hours:.2f} h of job time (seconds per epoch × epochs × seeds); {seeds}.",
    ]


def waiting_lines(listed: list[str], shown: list[str]) -> list[str]:
    """What a study's section does not show yet: variants trained with evaluations still to run, and those not
    run at all ("Not run yet." alone where nothing of the study has run)."""
    partway = [variant for variant in trained(listed) if variant not in shown]
    not_run = [variant for variant in listed if variant not in shown and variant not in partway]
    lines = [f"Trained, evaluations still to run: {', '.join(partway)}."] if partway else []
    if not_run:
        lines.append(f"Not run yet: {', '.join(not_run)}." if shown or partway else "Not run yet.")
    return lines


def study_markdown(params: Params, study_id: str, lock: dict) -> list[str]:
    config, study = params.studies[study_id], page(study_id)
    variants = published(params, config.variants)
    lines = ["", f"## {config.title}", ""]
    if study.question:
        lines += [f"**Question.** {study.question}", ""]
    waiting = waiting_lines(config.variants, variants)
    if not variants:
        return lines + [" ".join(waiting)]
    for table in study_tables(params, study, variants):
        lines += [table.caption, "", *markdown_table(table), ""]
    lines.append(data_text(params, study, variants))
    if waiting:
        lines += ["", " ".join(waiting)]
    for figure in page_figures(params, study_id, study, variants):
        if (DOCS / figure.target).exists():
            lines += ["", f"![{figure.target.stem}]({figure.target.as_posix()})", "", f"*{figure.caption}*"]
    lines += ["", *findings_lines(study_id, variants), ""]
    return lines + provenance_lines(params, variants, lock)


def results_markdown(params: Params) -> str:
    lock = read_lock()
    lines = [
        "# Results of the study",
        "",
        "Generated by `python -m aelab results` from what the repository keeps of the run: the metrics "
        "(`results/**/*.json`, the DVC metrics), the loss histories, dvc.lock, params.yaml, the findings "
        "(`docs/findings/`) and the figures beside this page; do not edit by hand. `dvc metrics show` lists every "
        "number, `dvc plots show` draws every loss curve. The choices behind the numbers are in "
        "[choices.md](choices.md); the study itself in [study.md](study.md).",
        "",
        "Numbers are means over a variant's seeds, ± one standard deviation where it has several; ↑ / ↓ say which "
        "direction is better, and the best value of such a column is in bold.",
    ]
    for study_id in params.studies:
        lines += study_markdown(params, study_id, lock)
    return "\n".join(lines) + "\n"


def publish_results(params: Params) -> Path:
    """Write docs/results.md with each study's key figures beside it; remove figures the page no longer shows."""
    kept = set()
    for study_id, config in params.studies.items():
        figures = page_figures(params, study_id, page(study_id), published(params, config.variants))
        copy_figures(figures)
        kept |= {DOCS / figure.target for figure in figures}
    for old in sorted(FIGURES.rglob("*.png")):
        if old not in kept:
            log.info("%s: no study shows it any more; removed", old)
            old.unlink()
    write_text(RESULTS_FILE, results_markdown(params))
    return RESULTS_FILE
