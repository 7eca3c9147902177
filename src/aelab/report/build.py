"""Assemble the study report from the artefacts the stages wrote: one section per study.

The report is a folder, ``results/report/``: ``index.html`` and a ``figures/``
tree it links to with relative paths, so it can be zipped, mailed or published
as it is (a full study has hundreds of figures: embedded, one HTML file would
weigh tens of megabytes). It shows only what exists, so it builds from any
subset of a study: a variant without results is named as "not run", a task
table appears only with rows, a figure only if its file was written. A
variant's figures appear in the first study that lists it; later studies link there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from jinja2 import Environment, PackageLoader, select_autoescape

from aelab import paths
from aelab.config.noise import noise_name
from aelab.config.params import Params, StudyConfig
from aelab.config.tasks import EVALUATION_TASKS
from aelab.evaluation.generation import DECODED
from aelab.io import atomic_directory, read_json
from aelab.pipeline.producers import missing_results
from aelab.plotting import figures as plots
from aelab.report import choices, studies
from aelab.report.captions import FIGURE_CAPTIONS, LOSS_CURVES_CAPTION, NOISE_DECODING_CAPTION, TABLE_CAPTIONS
from aelab.report.columns import noise_label
from aelab.report.conditions import differences, made_under, read_lock, study_conditions
from aelab.report.devices import device_sections
from aelab.report.elements import Figure, FigureFolder, Table
from aelab.report.findings import Findings, metrics_digest, read_findings
from aelab.report.provenance import provenance, stage_timings, wall_time_per_stage
from aelab.report.tables import metrics_frame, to_html

OTHER_VARIANTS = "other-variants"


@dataclass
class VariantFigures:
    variant_id: str
    description: str
    figures: list[Figure] = field(default_factory=list)
    shown_in: str | None = None
    """The study whose section already shows this variant's figures."""


@dataclass
class StudySection:
    study_id: str
    title: str
    question: str
    answers: list[Table]
    """The study's own tables (:mod:`aelab.report.studies`), in the layout that answers its question."""
    made_under: str
    differences: list[str]
    """Each condition (precision, device, threads, stage code) its variants differ in, plainly."""
    findings: Findings
    not_run: list[str]
    failed: dict[str, str]
    """Variant -> the error that stopped its training (from the failure records)."""
    tables: list[Table]
    figures: list[Figure]
    """The study's own figures: its loss curves, its variants' decoded random codes side by side."""
    variants: list[VariantFigures]


def build_report(params: Params, params_file: Path) -> Path:
    """Write ``results/report/`` (index.html and its figures) as a whole, replacing the previous one."""
    environment = Environment(loader=PackageLoader("aelab.report"), autoescape=select_autoescape())
    manifests = metrics_frame(params.datasets.ids, paths.dataset_manifest).rename_axis("dataset")
    with atomic_directory(paths.report_dir()) as staging:
        folder = FigureFolder(staging)
        failed = failures()
        sections = study_sections(params, folder, failed)
        html = environment.get_template("report.html").render(
            failures=failed,
            missing=missing_results(params),
            provenance=provenance(params_file, list(params.variants)),
            timings_html=_timings_html(),
            datasets=dataset_sections(manifests, folder),
            datasets_html=_html_unless_empty(datasets_table(manifests)),
            classifiers_html=_html_unless_empty(
                metrics_frame(
                    params.evaluation.sample_quality.classifier.datasets, paths.classifier_metrics
                ).rename_axis("dataset")
            ),
            sections=sections,
            devices=device_sections(params, folder),
            choices=choices.rows(params),
        )
        (staging / paths.report_html().name).write_text(html)
    return paths.report_html()


def _timings_html() -> str:
    timings = wall_time_per_stage(stage_timings())
    return "" if timings.empty else to_html(timings)


def _html_unless_empty(frame: pd.DataFrame) -> str:
    """A table, or nothing (the template then leaves its section out)."""
    return "" if frame.empty else to_html(frame)


def failures() -> list[dict]:
    """Every stage run that failed and has not succeeded since (logs/failures/, written by the CLI)."""
    return [read_json(path) for path in sorted(paths.failures_dir().glob("*/*.json"))]


def study_sections(params: Params, folder: FigureFolder, failed: list[dict]) -> list[StudySection]:
    """A section per study with results, plus one for trained variants that no study lists."""
    studies = dict(params.studies)
    unlisted = [variant for variant in params.variants if not any(variant in s.variants for s in studies.values())]
    if unlisted:
        studies[OTHER_VARIANTS] = StudyConfig(title="Variants outside the studies", variants=unlisted)
    shown_in: dict[str, str] = {}
    lock = read_lock()
    sections = []
    failed_training = {record["subject"]: record["error"] for record in failed if record["stage"] == "train"}
    for study_id, study in studies.items():
        section = study_section(params, study_id, study, folder, shown_in, failed_training, lock)
        if section is not None:
            sections.append(section)
    return sections


def study_section(
    params: Params,
    study_id: str,
    study: StudyConfig,
    folder: FigureFolder,
    shown_in: dict[str, str],
    failed_training: dict[str, str],
    lock: dict[str, dict],
) -> StudySection | None:
    ran = [variant for variant in study.variants if paths.train_metrics(variant).exists()]
    failed = {variant: failed_training[variant] for variant in study.variants if variant in failed_training}
    if not ran and not failed:
        return None
    variants = []
    for variant_id in ran:
        figures = VariantFigures(variant_id, variant_summary(params, variant_id), shown_in=shown_in.get(variant_id))
        if figures.shown_in is None:
            figures.figures = variant_figures(params, variant_id, folder)
            shown_in[variant_id] = study_id
        variants.append(figures)
    study_figures = [
        loss_curves(study_id, {variant: params.seeds_for(variant) for variant in ran}, folder),
        noise_decoding(params, study_id, ran, folder),
    ]
    declared = studies.page(study_id)
    conditions = study_conditions(ran, lock)
    answers = [layout.tables(params, ran) for layout in declared.tables]
    return StudySection(
        study_id=study_id,
        title=study.title,
        question=declared.question,
        answers=[
            Table(f"{study_id}-answer-{number}", table.caption, to_html(table.frame, table.headings))
            for number, table in enumerate((table for tables in answers for table in tables), start=1)
        ],
        made_under=made_under(conditions),
        differences=differences(conditions),
        findings=read_findings(study_id, metrics_digest(ran)),
        not_run=[variant for variant in study.variants if variant not in ran and variant not in failed],
        failed=failed,
        tables=study_tables(params, ran),
        figures=[figure for figure in study_figures if figure is not None],
        variants=variants,
    )


def study_tables(params: Params, variants: list[str]) -> list[Table]:
    """Reconstruction + cost for every variant, then one table per task that ran for some of them."""
    reconstruction = metrics_frame(variants, partial(paths.task_metrics, task="reconstruction"))
    cost = metrics_frame(variants, paths.train_metrics).drop(columns=["seeds", "images_per_second"], errors="ignore")
    tables = [
        Table("reconstruction", TABLE_CAPTIONS["reconstruction"], to_html(reconstruction.join(cost, how="outer")))
    ]
    summary = denoising_summary(params, variants)
    if not summary.empty:
        tables.append(Table("denoising-summary", TABLE_CAPTIONS["denoising-summary"], to_html(summary)))
    sources: dict[str, Callable[[str], Path]] = {
        task: partial(paths.task_metrics, task=task) for task in EVALUATION_TASKS[1:]
    }
    sources["crossval"] = paths.crossval_metrics
    for name, source in sources.items():
        frame = metrics_frame(variants, source)
        if not frame.empty:
            tables.append(Table(name, TABLE_CAPTIONS[name], to_html(frame)))
    return tables


def denoising_summary(params: Params, variants: list[str]) -> pd.DataFrame:
    """Output PSNR per test noise (columns) of each variant, next to the noise it was trained on."""
    frame = metrics_frame(variants, partial(paths.task_metrics, task="denoising"))
    if frame.empty:
        return frame
    names = [noise_name(config) for config in params.evaluation.denoising.noise]
    columns = [f"{name}_psnr_output" for name in names if f"{name}_psnr_output" in frame]
    summary = frame[columns + [f"{column}_std" for column in columns if f"{column}_std" in frame]]
    trained_on = [params.training_for(variant).noise for variant in summary.index]
    summary.insert(0, "training noise", [noise_label(noise_name(noise)) if noise else "none" for noise in trained_on])
    return summary


def loss_curves(study_id: str, seeds: dict[str, list[int]], folder: FigureFolder) -> Figure | None:
    histories = {
        variant: [
            pd.read_csv(paths.history(variant, seed)) for seed in variant_seeds if paths.history(variant, seed).exists()
        ]
        for variant, variant_seeds in seeds.items()
    }
    histories = {variant: runs for variant, runs in histories.items() if runs}
    if not histories:
        return None
    target = folder.root / "figures" / "studies" / f"{study_id}.png"
    plots.save(plots.study_loss_curves(histories), target)
    return Figure(target.relative_to(folder.root).as_posix(), LOSS_CURVES_CAPTION, f"{study_id}-loss-curves")


def noise_decoding(params: Params, study_id: str, variants: list[str], folder: FigureFolder) -> Figure | None:
    """Random codes decoded by each variant of the study, one row each: a deterministic AE's N(5, 1) codes, a
    VAE's prior samples (docs/study.md 2.3). Drawn where a study compares both kinds."""
    rows, kinds = {}, set()
    settings = params.evaluation.generation
    for variant_id in variants:
        arrays = paths.task_figure_arrays(variant_id, "generation", DECODED, params.seeds_for(variant_id)[0])
        if not arrays.exists():
            continue
        variational = params.variant(variant_id).model.variational
        with np.load(arrays) as decoded:
            images = decoded["samples" if variational else "noise_images"]
        codes = "prior N(0, I)" if variational else f"N({settings.noise_mean:g}, {settings.noise_std:g}^2)"
        rows[f"{variant_id}: {codes}"] = torch.from_numpy(images)
        kinds.add(variational)
    if len(kinds) < 2:
        return None
    target = folder.root / "figures" / "studies" / f"{study_id}-noise-decoding.png"
    plots.save(plots.image_rows(rows), target)
    return Figure(target.relative_to(folder.root).as_posix(), NOISE_DECODING_CAPTION, f"{study_id}-noise-decoding")


def variant_figures(params: Params, variant_id: str, folder: FigureFolder) -> list[Figure]:
    """Every figure the variant's tasks drew, each caption naming the seed it shows."""
    figures = []
    for (task, name), caption in FIGURE_CAPTIONS.items():
        for seed in params.seeds_for(variant_id):
            source = paths.task_figure(variant_id, task, name, seed)
            if source.exists():
                src = folder.add(source, Path(variant_id) / task / source.name)
                note = seed_note(params, variant_id, seed, with_numbers=task in SEED_FACT_TASKS)
                figures.append(Figure(src, f"{caption} {note}", anchor(source, task)))
    return figures


def anchor(figure: Path, task: str) -> str:
    """The HTML id of a variant's figure: ``<variant>-<task>-<name>_seed<k>``."""
    return f"{figure.parents[2].name}-{task}-{figure.stem}"


SEED_FACTS = (
    ("latent", "silhouette", "silhouette by class {:.3g}"),
    ("diagnostics", "active_units", "{:g} active latent units"),
)
"""Per-seed numbers the captions of the figures drawn for every seed name (task, metric, text), where the variant
has them."""
SEED_FACT_TASKS = {task for task, _, _ in SEED_FACTS}


def seed_note(params: Params, variant_id: str, seed: int, with_numbers: bool) -> str:
    """``Seed 1: silhouette by class 0.412, 2 active latent units.``: the seed a figure shows and, for the figures
    drawn for every seed, the per-seed numbers that tell them apart (a variant with several seeds keeps them as
    ``<metric>_seed<k>``)."""
    several = len(params.seeds_for(variant_id)) > 1
    facts = []
    for task, metric, text in SEED_FACTS if with_numbers else ():
        file = paths.task_metrics(variant_id, task)
        value = read_json(file).get(f"{metric}_seed{seed}" if several else metric) if file.exists() else None
        if value is not None:
            facts.append(text.format(value))
    return f"Seed {seed}" + (f": {', '.join(facts)}." if facts else ".")


def variant_summary(params: Params, variant_id: str) -> str:
    """The variant's model, dataset, epochs and noise in one line, under its name in the report."""
    variant = params.variant(variant_id)
    model = ", ".join(f"{key}={value}" for key, value in variant.model.model_dump().items())
    training = params.training_for(variant_id)
    noise = f"; noise={training.noise.model_dump()}" if training.noise else ""
    return f"{model}; dataset={variant.dataset}; epochs={training.epochs}{noise}"


@dataclass
class DatasetSection:
    dataset_id: str
    src: str
    skipped_files: list[dict]


def datasets_table(manifests: pd.DataFrame) -> pd.DataFrame:
    """One row per dataset with a manifest: its counts, shape and size."""
    table = manifests.copy()
    if "image_shape" in table:
        table["image_shape"] = table["image_shape"].map(lambda shape: " x ".join(map(str, shape)))
    return table.drop(columns="skipped_files", errors="ignore")


def dataset_sections(manifests: pd.DataFrame, folder: FigureFolder) -> list[DatasetSection]:
    sections = []
    for dataset_id, manifest in manifests.iterrows():
        if paths.dataset_samples(dataset_id).exists():
            src = folder.add(paths.dataset_samples(dataset_id), Path("datasets") / f"{dataset_id}.png")
            skipped = manifest.get("skipped_files")  # NaN where a manifest has none
            sections.append(DatasetSection(dataset_id, src, skipped if isinstance(skipped, list) else []))
    return sections
