"""Two threads per job: training takes them, the classifier that scores every study does not, in either engine."""

import json

import pytest

from aelab import paths
from aelab.config.loading import load_params
from tests.conftest import link_environment
from tests.workflow.conftest import run, smoke_project

pytestmark = pytest.mark.workflow

VARIANT = "mlp-vae"
"""The smoke study's cheapest variant whose sample quality a classifier scores (of Fashion-MNIST, its dataset)."""


def cpu_threads(metrics_file) -> int:
    return json.loads(metrics_file.read_text())["cpu_threads"]


def test_publish_builds_the_classifier_on_one_thread_whatever_training_gets(tmp_path_factory):
    """A classifier built on two threads rounds differently: its Fréchet distances would not compare with the
    published ones, which a one-thread classifier reproduces exactly. `make publish` runs plain Snakemake, so
    this is the Snakemake rule's own thread count."""
    project = smoke_project(tmp_path_factory, "publish-threads")
    link_environment(project / ".venv")
    run(["env", "AELAB_THREADS=2", "make", "publish", f"VARIANT={VARIANT}"], project)

    dataset = load_params(project / "params.yaml").variant(VARIANT).dataset
    classifier = project / paths.classifier_metrics(dataset)
    assert (cpu_threads(classifier), cpu_threads(project / paths.train_metrics(VARIANT))) == (1, 2)
    assert (project / paths.task_metrics(VARIANT, "sample_quality")).exists()


def test_dvc_builds_the_classifier_on_one_thread_whatever_the_site_says(tmp_path_factory):
    project = smoke_project(tmp_path_factory, "dvc-classifier-threads")
    dataset = load_params(project / "params.yaml").variant(VARIANT).dataset
    run(["env", "AELAB_THREADS=2", "dvc", "repro", f"train_classifier@{dataset}"], project)
    assert cpu_threads(project / paths.classifier_metrics(dataset)) == 1
