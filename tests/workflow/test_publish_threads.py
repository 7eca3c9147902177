"""`make publish` with two threads per job: training takes them, the classifier that scores every study does not."""

import json

import pytest

from aelab import paths
from aelab.config.loading import load_params
from tests.conftest import link_environment
from tests.workflow.conftest import run, smoke_project

pytestmark = pytest.mark.workflow

VARIANT = "mlp-vae"
"""The smoke study's cheapest variant whose sample quality a classifier scores (of Fashion-MNIST, its dataset)."""


def test_publish_builds_the_classifier_on_one_thread_whatever_training_gets(tmp_path_factory):
    """A classifier built on two threads rounds differently: its Fréchet distances would not compare with the
    published ones, which a one-thread classifier reproduces exactly."""
    project = smoke_project(tmp_path_factory, "publish-threads")
    link_environment(project / ".venv")
    run(["env", "AELAB_THREADS=2", "make", "publish", f"VARIANT={VARIANT}"], project)

    dataset = load_params(project / "params.yaml").variant(VARIANT).dataset
    classifier = json.loads((project / paths.classifier_metrics(dataset)).read_text())
    trained = json.loads((project / paths.train_metrics(VARIANT)).read_text())
    assert (classifier["cpu_threads"], trained["cpu_threads"]) == (1, 2)
    assert (project / paths.task_metrics(VARIANT, "sample_quality")).exists()
