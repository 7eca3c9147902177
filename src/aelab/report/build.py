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

import shutil
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from aelab import paths
from aelab.config import EVALUATION_TASKS, Params, StudyConfig
from aelab.config.noise import noise_name
from aelab.io import atomic_directory, read_json
from aelab.plotting import figures as plots
from aelab.report import choices
from aelab.report.captions import FIGURE_CAPTIONS, LOSS_CURVES_CAPTION, TABLE_CAPTIONS
from aelab.report.columns import noise_label
from aelab.report.provenance import provenance, stage_timings, wall_time_per_stage
from aelab.report.tables import metrics_frame, to_html

OTHER_VARIANTS = "other-variants"


@dataclass
class Figure:
    src: str
    caption: str
    anchor: str


@dataclass
class Table:
    name: str
    caption: str
    html: str


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
    not_run: list[str]
    failed: dict[str, str]
    """Variant -> the error that stopped its training (from the failure records)."""
    tables: list[Table]
    loss_curves: Figure | None
    variants: list[VariantFigures]


class FigureFolder:
    """Copies figures into the report's ``figures/`` folder and hands out their relative links."""

    def __init__(self, report_root: Path):
        self.root = report_root

    def add(self, source: Path, name: Path) -> str:
        target = self.root / "figures" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return target.relative_to(self.root).as_posix()


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
            provenance=provenance(params_file),
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
    sections = []
    failed_training = {record["subject"]: record["error"] for record in failed if record["stage"] == "train"}
    for study_id, study in studies.items():
        section = study_section(params, study_id, study, folder, shown_in, failed_training)
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
) -> StudySection | None:
    ran = [variant for variant in study.variants if paths.train_metrics(variant).exists()]
    failed = {variant: failed_training[variant] for variant in study.variants if variant in failed_training}
    if not ran and not failed:
        return None
    variants = []
    for variant_id in ran:
        figures = VariantFigures(variant_id, describe(params, variant_id), shown_in=shown_in.get(variant_id))
        if figures.shown_in is None:
            figures.figures = variant_figures(variant_id, folder)
            shown_in[variant_id] = study_id
        variants.append(figures)
    return StudySection(
        study_id=study_id,
        title=study.title,
        not_run=[variant for variant in study.variants if variant not in ran and variant not in failed],
        failed=failed,
        tables=study_tables(params, ran),
        loss_curves=loss_curves(study_id, {variant: params.seeds_for(variant) for variant in ran}, folder),
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
    sources = {task: partial(paths.task_metrics, task=task) for task in EVALUATION_TASKS[1:]}
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


def variant_figures(variant_id: str, folder: FigureFolder) -> list[Figure]:
    figures = []
    for (task, name), caption in FIGURE_CAPTIONS.items():
        source = paths.task_figures(variant_id, task) / f"{name}.png"
        if source.exists():
            src = folder.add(source, Path(variant_id) / task / source.name)
            figures.append(Figure(src, caption, f"{variant_id}-{task}-{name}"))
    return figures


def describe(params: Params, variant_id: str) -> str:
    variant = params.variant(variant_id)
    model = ", ".join(f"{key}={value}" for key, value in variant.model.model_dump().items())
    training = params.training_for(variant_id)
    noise = f"; noise={training.noise.model_dump()}" if training.noise else ""
    return f"{model}; dataset={variant.dataset}; epochs={training.epochs}{noise}"


@dataclass
class DeviceSection:
    variant_id: str
    table_html: str
    gpu_compared: bool
    figures: list[Figure]


DEVICE_COLUMNS = (
    "device",
    "seconds_per_epoch",
    "final_train_loss",
    "final_train_recon",
    "final_test_loss",
    "final_test_recon",
)
DEVICE_FIGURES = {
    "loss_curves": "Loss per epoch on each device (float32 on both): the curves should overlap up to rounding.",
    "latent": "Test codes of each device's model, side by side.",
}


def device_sections(params: Params, folder: FigureFolder) -> list[DeviceSection]:
    """CPU against GPU per listed variant that ran: one row per device, both loss curves, both latent plots."""
    sections = []
    for variant_id in params.evaluation.devices.variants:
        if not paths.devices_metrics(variant_id).exists():
            continue
        metrics = read_json(paths.devices_metrics(variant_id))
        rows = {
            device: {
                column: metrics[f"{device}_{column}"] for column in DEVICE_COLUMNS if f"{device}_{column}" in metrics
            }
            for device in ("cpu", "cuda")
            if f"{device}_device" in metrics
        }
        table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("run")
        figures = []
        for name, caption in DEVICE_FIGURES.items():
            source = paths.devices_figures(variant_id) / f"{name}.png"
            if source.exists():
                src = folder.add(source, Path("devices") / variant_id / source.name)
                figures.append(Figure(src, caption, f"devices-{variant_id}-{name}"))
        sections.append(DeviceSection(variant_id, to_html(table), "cuda" in rows, figures))
    return sections


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
