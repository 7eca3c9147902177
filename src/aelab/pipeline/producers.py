"""Which stage run writes a file, and the command that rebuilds exactly that file in each engine.

A damaged, foreign or deleted result is named with what rebuilds it: the job
that writes it (``snakemake --force <its output>``: the selected target only,
not every job of its rule) and the DVC stage (``dvc repro --force --single-item
<stage>@<subject>``: that stage only). Both engines leave a missing file alone
while the files made from it exist (Snakemake does not rebuild a missing
intermediate file; DVC reports it in ``dvc status`` only), so the report names
every expected result it did not find (:func:`missing_results`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from aelab import paths
from aelab.config.base import ParamsError
from aelab.config.tasks import TASKS
from aelab.pipeline.stages import STAGES, value

if TYPE_CHECKING:
    from aelab.config.params import Params

UNTRACKED_STAGES = ("check", "report")
"""Stages that write no result of the study (the check writes nothing; the report is rebuilt whole)."""


def _paths(section: list) -> list[Path]:
    """The paths of one section of a stage's outputs in dvc.yaml's form: plain paths, or ``{path: options}``."""
    return [Path(path) for entry in section for path in (entry if isinstance(entry, dict) else [entry])]


@dataclass(frozen=True)
class Run:
    """One stage run: a stage and its subject (a dataset, image set or variant; empty for a stage without foreach)."""

    stage: str
    subject: str

    @property
    def dvc_stage(self) -> str:
        return f"{self.stage}@{self.subject}" if self.subject else self.stage

    def timing_record(self) -> Path:
        """Where the CLI records this run's success (``python -m aelab evaluate latent v``: evaluate, latent-v)."""
        cli_stage, *arguments = (STAGES[self.stage].command or self.stage).split()
        return paths.stage_timing(cli_stage, "-".join([*arguments, self.subject]) or "all")

    def outputs(self) -> list[Path]:
        """Every file or folder the run writes (outs, metrics, plots)."""
        return [path for section in STAGES[self.stage].outputs(self.subject).values() for path in _paths(section)]

    def metrics(self) -> list[Path]:
        """The run's metrics files: what git keeps of it, so what a fresh clone knows it made."""
        return _paths(STAGES[self.stage].outputs(self.subject).get("metrics", []))

    def snakemake_command(self, output: Path) -> str:
        """Rebuilds ``output`` (an output of this run) and nothing else: the job of the selected target."""
        return f"snakemake --cores 2 --force {output.as_posix()}"

    def dvc_command(self) -> str:
        """Reruns this stage and nothing else."""
        return f"dvc repro --force --single-item {self.dvc_stage}"

    def rebuild(self, output: Path) -> str:
        return f"{self.snakemake_command(output)} (or {self.dvc_command()})"


def runs(params: Params) -> Iterator[Run]:
    """Every stage run the params define."""
    for name, stage in STAGES.items():
        if stage.foreach is None:
            yield Run(name, "")
        else:
            yield from (Run(name, subject) for subject in value(params, stage.foreach))


VARIANT_STAGES = ("train", "crossvalidate", "devices")
"""Stages of a variant besides its evaluation tasks."""


def variant_runs(params: Params, variant_ids: list[str]) -> list[Run]:
    """The runs that make the variants' results: training, every task and comparison params.yaml selects for
    them. What they read (datasets, classifiers) each engine builds first, by itself."""
    for variant_id in variant_ids:
        params.variant(variant_id)
    wanted = set(variant_ids)
    return [run for run in runs(params) if run.subject in wanted and _of_a_variant(run.stage)]


def _of_a_variant(stage: str) -> bool:
    return stage in VARIANT_STAGES or stage in TASKS


def study_runs(params: Params, study_id: str) -> list[Run]:
    """The runs a study's section of the report shows: those of every variant it lists."""
    if study_id not in params.studies:
        raise ParamsError(f"unknown study {study_id!r}; params.yaml defines: {', '.join(params.studies)}")
    return variant_runs(params, params.studies[study_id].variants)


def snakemake_targets(selected: list[Run]) -> list[str]:
    """The files that make Snakemake run exactly these runs (and what they need): each run's first output."""
    return [run.outputs()[0].as_posix() for run in selected]


def producer(params: Params, path: Path) -> tuple[Run, Path] | None:
    """The run that writes ``path`` and the output (the file, or the folder holding it) to ask an engine for."""
    path = Path(path)
    for run in runs(params):
        for output in run.outputs():
            if path == output or output in path.parents:
                return run, output
    return None


def rebuild_hint(params: Params, path: Path) -> str:
    """``rebuild it: <commands>`` for a file of the study, or a general hint for one no stage writes."""
    found = producer(params, path)
    if found is None:
        return "delete it and run the stage that writes it again"
    run, output = found
    return f"rebuild it: {run.rebuild(output)}"


@dataclass(frozen=True)
class MissingResult:
    path: Path
    run: Run


def missing_results(params: Params) -> list[MissingResult]:
    """Every output of a stage run that ran (some of its outputs exist, or its timing record) but is not there.

    A run none of whose outputs exist has not run yet; the report says so per
    study instead.
    """
    missing = []
    for run in runs(params):
        if run.stage in UNTRACKED_STAGES:
            continue
        outputs = run.outputs()
        absent = [output for output in outputs if not output.exists()]
        ran = len(absent) < len(outputs) or run.timing_record().exists()
        if absent and ran:
            missing += [MissingResult(output, run) for output in absent]
    return missing
