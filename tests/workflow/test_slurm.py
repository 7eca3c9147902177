"""The smoke study on a real single-node SLURM cluster through Snakemake's SLURM executor."""

import json
import subprocess
from pathlib import Path

import pytest

from aelab import paths
from aelab.config.loading import load_params
from aelab.config.tasks import EVALUATION_TASKS
from tests.conftest import ROOT
from tests.workflow.conftest import engine_environment, smoke_project
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


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with single_node_cluster(tmp_path_factory.mktemp("slurm") / "cluster") as environment:
        yield environment


def submit(project: Path, cluster_environment: dict) -> subprocess.CompletedProcess:
    environment = engine_environment() | {"SLURM_CONF": cluster_environment["SLURM_CONF"]}
    return subprocess.run(SUBMIT, cwd=project, env=environment, capture_output=True, text=True)


def slurm_jobs(cluster_environment: dict) -> list[dict[str, str]]:
    """Every job the controller remembers (MinJobAge keeps finished ones for an hour)."""
    shown = subprocess.run(
        ["scontrol", "show", "job", "--oneliner"], env=cluster_environment, capture_output=True, text=True
    ).stdout
    return [dict(field.split("=", 1) for field in line.split() if "=" in field) for line in shown.splitlines()]


@pytest.fixture(scope="module")
def cluster_project(tmp_path_factory, cluster):
    project = smoke_project(tmp_path_factory, "slurm-study")
    result = submit(project, cluster)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return project


def test_every_job_ran_through_slurm(cluster_project, cluster):
    jobs = slurm_jobs(cluster)
    states = {job["JobState"] for job in jobs}
    assert states == {"COMPLETED"}
    log = min((cluster_project / ".snakemake" / "log").glob("*.snakemake.log")).read_text()
    submitted = sum(1 for line in log.splitlines() if "has been submitted with SLURM jobid" in line)
    params = load_params(cluster_project / "params.yaml")
    evaluations = sum(len(params.task_variants(task)) for task in EVALUATION_TASKS)
    expected = (
        len(params.variants)
        + evaluations
        + 1
        + 2 * len(params.datasets.idx)
        + len(params.datasets.cmnist)
        + len(params.datasets.cmnist_pooled)
        + len(params.datasets.coco_image_sets)
        + len(params.datasets.coco)
        + len(params.evaluation.crossval.variants)
        + len(params.evaluation.devices.variants)
        + len(params.evaluation.sample_quality.classifier.datasets)
    )
    assert submitted == expected == len(jobs)


def test_cluster_results_equal_a_local_run(cluster_project, snakemake_project):
    for variant in load_params(cluster_project / "params.yaml").variants:
        on_cluster = json.loads((cluster_project / paths.task_metrics(variant, "reconstruction")).read_text())
        local = json.loads((snakemake_project / paths.task_metrics(variant, "reconstruction")).read_text())
        assert on_cluster == pytest.approx(local, rel=1e-6)


def test_failed_job_fails_the_workflow_and_keeps_finished_results(cluster_project, cluster):
    params_file = cluster_project / "params.yaml"
    finished = (cluster_project / paths.checkpoint("vae-baseline", 0)).read_bytes()
    # valid params, but more validation images than the smoke MNIST holds: colourise raises at run time
    params_file.write_text(params_file.read_text().replace("validation_images: 64", "validation_images: 100000"))
    result = submit(cluster_project, cluster)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Error in rule colourise" in output
    assert "logs/colourise/cmnist.log" in output
    assert "validation_images=100000 must be smaller" in (cluster_project / "logs/colourise/cmnist.log").read_text()
    assert (cluster_project / paths.checkpoint("vae-baseline", 0)).read_bytes() == finished
    assert (cluster_project / paths.task_metrics("ae-baseline", "reconstruction")).exists()
