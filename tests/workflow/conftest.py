"""Scratch projects for the real engines: a copy of this repository with the smoke params.

Each engine runs in its own copy, as a user would run it in a fresh clone, with
the real MNIST mirror (tests here are skipped, with the reason, without it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aelab import paths
from aelab.config.loading import load_params
from aelab.config.tasks import EVALUATION_TASKS
from aelab.report.findings import FINDINGS_DIR
from aelab.report.results import FIGURES, RESULTS_FILE
from tests.conftest import MIRROR, ROOT, SMOKE_PARAMS, mirror_available

pytestmark = pytest.mark.workflow


BIGGER_MACHINE = "8"
"""The torch threads a machine with 8 cores would default to: the engines must not follow it."""


def engine_environment() -> dict[str, str]:
    """PATH with this interpreter's bin first (snakemake, dvc, python), the data mirror, the CPU, and torch
    told it runs on a bigger machine than the rules' thread count (OMP_NUM_THREADS), as on a workstation
    or a cluster node: both engines must still use the same, site-set count (aelab.site.threads)."""
    environment = dict(os.environ)
    environment["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    environment["AELAB_DATA_MIRROR"] = str(MIRROR)
    environment["AELAB_DEVICE"] = "cpu"
    environment["OMP_NUM_THREADS"] = BIGGER_MACHINE
    environment.pop("AELAB_THREADS", None)
    return environment


def run(command: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=engine_environment(), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def git(*args: str, cwd: Path) -> None:
    run(["git", "-c", "user.name=aelab-test", "-c", "user.email=test@aelab.invalid", *args], cwd)


PUBLISHED_RUN = ("dvc.lock", f"{paths.RESULTS}/", str(RESULTS_FILE), f"{FIGURES}/", f"{FINDINGS_DIR}/")
"""The repository's published run of its own params.yaml (committed with it): not the smoke study's results."""


def make_project(destination: Path) -> Path:
    """Copy the repository's files (what git would clone) but its published run, and make the smoke params the
    project's: a fresh study."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        if name.startswith(PUBLISHED_RUN):
            continue
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    shutil.copy(SMOKE_PARAMS, destination / "params.yaml")
    git("init", "-q", cwd=destination)  # the repository's .dvc/ came with the files
    git("add", "-A", cwd=destination)
    git("commit", "-qm", "smoke project", cwd=destination)
    return destination


def artefacts(project: Path) -> set[str]:
    """Every file the pipeline produced, without the engines' own bookkeeping files."""
    found = set()
    for top in ("data", "results"):
        for path in (project / top).rglob("*"):
            if path.is_file() and path.name not in {".snakemake_timestamp", ".gitignore"}:
                found.add(str(path.relative_to(project)))
    return found


def smoke_project(tmp_path_factory, name: str) -> Path:
    if not mirror_available():
        pytest.skip(f"real MNIST mirror not found at {MIRROR}")
    return make_project(tmp_path_factory.mktemp(name))


class EngineRun:
    """One engine's run of the smoke study in its own project, started in the background."""

    def __init__(self, project: Path, command: list[str], log: Path):
        self.project, self.command, self.log = project, command, log
        with log.open("w") as output:
            self.process = subprocess.Popen(
                command, cwd=project, env=engine_environment(), stdout=output, stderr=subprocess.STDOUT
            )

    def stop(self) -> None:
        """End the run if no test waited for it (a session that needed only the other engine's project)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def finished(self) -> Path:
        """The project, once the run has succeeded."""
        if self.process.wait() != 0:
            raise AssertionError(
                f"{' '.join(self.command)} failed ({self.process.returncode}):\n{self.log.read_text()}"
            )
        return self.project


@pytest.fixture(scope="session")
def smoke_runs(tmp_path_factory) -> Iterator[dict[str, EngineRun]]:
    """Both engines' smoke runs, started together when a test first needs either: `dvc repro` runs one stage at a
    time, so Snakemake's jobs (two 1-thread jobs at a time) fill the cores it leaves idle."""
    logs = tmp_path_factory.mktemp("engine-logs")
    runs = {
        "snakemake": EngineRun(
            smoke_project(tmp_path_factory, "snakemake"), ["snakemake", "--cores", "2"], logs / "snakemake.log"
        ),
        "dvc": EngineRun(smoke_project(tmp_path_factory, "dvc"), ["dvc", "repro"], logs / "dvc.log"),
    }
    yield runs
    for engine_run in runs.values():
        engine_run.stop()


@pytest.fixture(scope="session")
def snakemake_project(smoke_runs) -> Path:
    """The smoke study, run once by `snakemake --cores 2`."""
    return smoke_runs["snakemake"].finished()


@pytest.fixture(scope="session")
def dvc_project(smoke_runs) -> Path:
    """The smoke study, run once by `dvc repro` and committed (so diffs have a baseline)."""
    project = smoke_runs["dvc"].finished()
    git("add", "-A", cwd=project)
    git("commit", "-qm", "smoke results", cwd=project)
    return project


def variant_stages(project, variant: str) -> set[str]:
    """The DVC stages of one variant: its training, cross-validation, device comparison and every evaluation task
    selected for it."""
    params = load_params(project / "params.yaml")
    stages = {f"train@{variant}"} | {
        f"{task}@{variant}" for task in EVALUATION_TASKS if variant in params.task_variants(task)
    }
    stages |= {f"crossvalidate@{variant}"} if variant in params.evaluation.crossval.variants else set()
    return stages | ({f"devices@{variant}"} if variant in params.evaluation.devices.variants else set())


def crossval_stages(project) -> set[str]:
    """Cross-validation and device-comparison stages depend on all of data/processed (DVC cannot name a listed
    variant's dataset)."""
    evaluation = load_params(project / "params.yaml").evaluation
    return {f"crossvalidate@{variant}" for variant in evaluation.crossval.variants} | {
        f"devices@{variant}" for variant in evaluation.devices.variants
    }
