"""A cut of the smoke study on a real single-node SLURM cluster through Snakemake's SLURM executor."""

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from aelab import paths
from tests.conftest import ROOT
from tests.workflow.conftest import engine_environment, run, smoke_project
from tests.workflow.slurm import single_node_cluster, unavailable_reason

pytestmark = [
    pytest.mark.workflow,
    pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason())),
]

SUBMIT = [
    "snakemake",
    "--workflow-profile",
    str(ROOT / "workflow" / "profiles" / "slurm"),
    "--jobs",
    "4",
    "--keep-going",
    "--slurm-no-account",
    "--slurm-status-command",
    "squeue",  # no slurmdbd here, so no sacct
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--set-resources",
    "train:gpu=0",
    "crossvalidate:gpu=0",
    "train_classifier:gpu=0",
    "devices:gpu=0",  # no GPU
]

CLUSTER_VARIANTS = ["ae-deep-cmnist", "mlp-conditional"]
"""Every kind of job, in a quarter of the smoke study's 60 (each SLURM job pays a Snakemake start of its own):
downloads, preprocessing, the pooled CMNIST, both conv and MLP training, a classifier and six evaluations."""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with single_node_cluster(tmp_path_factory.mktemp("slurm") / "cluster") as environment:
        yield environment


@dataclass
class ClusterRun:
    project: Path
    targets: list[str]
    planned_jobs: int


def submit(cluster_run: ClusterRun, cluster_environment: dict) -> subprocess.CompletedProcess:
    environment = engine_environment() | {"SLURM_CONF": cluster_environment["SLURM_CONF"]}
    command = SUBMIT[:1] + cluster_run.targets + SUBMIT[1:]  # before --set-resources, which takes every word after it
    return subprocess.run(command, cwd=cluster_run.project, env=environment, capture_output=True, text=True)


def slurm_jobs(cluster_environment: dict) -> list[dict[str, str]]:
    """Every job the controller remembers (MinJobAge keeps finished ones for an hour)."""
    shown = subprocess.run(
        ["scontrol", "show", "job", "--oneliner"], env=cluster_environment, capture_output=True, text=True
    ).stdout
    return [dict(field.split("=", 1) for field in line.split() if "=" in field) for line in shown.splitlines()]


@pytest.fixture(scope="module")
def cluster_run(tmp_path_factory, cluster) -> ClusterRun:
    """The cluster variants' targets (``python -m aelab targets``), planned, then submitted to SLURM."""
    project = smoke_project(tmp_path_factory, "slurm-study")
    targets = run(["python", "-m", "aelab", "targets", "--variant", *CLUSTER_VARIANTS], project).stdout.split()
    plan = run(["snakemake", "--dry-run", *targets], project)
    (planned,) = set(re.findall(r"^total\s+(\d+)$", plan.stdout + plan.stderr, re.MULTILINE))  # stats, twice
    cluster_run = ClusterRun(project, targets, int(planned))
    result = submit(cluster_run, cluster)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return cluster_run


def test_every_job_ran_through_slurm(cluster_run, cluster):
    jobs = slurm_jobs(cluster)
    states = {job["JobState"] for job in jobs}
    assert states == {"COMPLETED"}
    log = min((cluster_run.project / ".snakemake" / "log").glob("*.snakemake.log")).read_text()
    submitted = sum(1 for line in log.splitlines() if "has been submitted with SLURM jobid" in line)
    assert submitted == cluster_run.planned_jobs == len(jobs) > len(CLUSTER_VARIANTS)


def test_cluster_results_equal_a_local_run(cluster_run, tmp_path_factory):
    """Its own local run (not the shared smoke project's), so that this module needs no smoke project."""
    local = smoke_project(tmp_path_factory, "slurm-local")
    metrics = [paths.task_metrics(variant, "reconstruction") for variant in CLUSTER_VARIANTS]
    run(["snakemake", "--cores", "2", *map(str, metrics)], local)
    for path in metrics:
        on_cluster = json.loads((cluster_run.project / path).read_text())
        assert on_cluster == pytest.approx(json.loads((local / path).read_text()), rel=1e-6)


def test_failed_job_fails_the_workflow_and_keeps_finished_results(cluster_run, cluster):
    params_file = cluster_run.project / "params.yaml"
    finished = (cluster_run.project / paths.checkpoint("ae-deep-cmnist", 0)).read_bytes()
    # valid params, but more validation images than the smoke MNIST holds: pooling the CMNIST levels raises at run time
    params_file.write_text(params_file.read_text().replace("validation_images: 64", "validation_images: 100000"))
    result = submit(cluster_run, cluster)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Error in rule pool_cmnist" in output
    log = "logs/pool_cmnist/cmnist-pooled.log"
    assert log in output
    assert "validation_images=100000 must be smaller" in (cluster_run.project / log).read_text()
    assert (cluster_run.project / paths.checkpoint("ae-deep-cmnist", 0)).read_bytes() == finished
    assert (cluster_run.project / paths.task_metrics("mlp-conditional", "reconstruction")).exists()
