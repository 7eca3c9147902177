"""One study at a time: each engine builds what the study's section of the report needs, and nothing else."""

import pytest
import yaml

from aelab import paths
from aelab.config.loading import load_params
from aelab.report.results import RESULTS_FILE
from tests.conftest import link_environment
from tests.workflow.conftest import run, smoke_project

pytestmark = pytest.mark.workflow

STUDY = "coco"
"""The COCO designs share no dataset, classifier or cross-validation with the other studies: nothing else is built."""


@pytest.mark.parametrize("engine", ["snakemake", "dvc"])
def test_one_study_builds_its_variants_and_nothing_else(engine, tmp_path_factory):
    """With Snakemake through `make publish`, as the real run is published; with DVC through `dvc repro`."""
    project = smoke_project(tmp_path_factory, f"one-study-{engine}")
    if engine == "snakemake":
        link_environment(project / ".venv")
        run(["make", "publish", f"STUDY={STUDY}"], project)
    else:
        chosen = run(["python", "-m", "aelab", "targets", "--study", STUDY, "--dvc"], project).stdout.split()
        run(["dvc", "repro", *chosen], project)
        run(["python", "-m", "aelab", "report"], project)

    params = load_params(project / "params.yaml")
    ours = params.studies[STUDY].variants
    for variant in params.variants:
        assert (project / paths.train_metrics(variant)).exists() == (variant in ours), variant
    for task in ("reconstruction", "latent", "denoising", "sample_quality"):
        for variant in params.task_variants(task):
            assert (project / paths.task_metrics(variant, task)).exists() == (variant in ours), (task, variant)
    html = (project / paths.report_html()).read_text()
    assert f'id="study-{STUDY}"' in html and 'id="study-conv"' not in html and 'id="study-mlp"' not in html
    assert not (project / paths.processed_file("mnist")).exists()  # no variant of the study reads MNIST
    if engine == "snakemake":
        published_one_part(project)


def published_one_part(project):
    """A study is published one part at a time: `record` commits the finished stages and leaves the others out
    (a plain `dvc commit --force` refuses the whole project at the first stage not run); the report, built after
    the first `record` (it names the stage code dvc.lock records), is recorded too; the page is written."""
    finished = run(["python", "-m", "aelab", "targets", "--study", STUDY, "--dvc"], project).stdout.split()
    locked = yaml.safe_load((project / "dvc.lock").read_text())["stages"]
    assert set(finished) | {"report"} <= set(locked)
    assert not any("vae-baseline" in stage for stage in locked)  # not run: left out
    assert "Data and pipelines are up to date." in run(["dvc", "status", *finished, "report"], project).stdout
    page = (project / RESULTS_FILE).read_text()
    assert f"## {load_params(project / 'params.yaml').studies[STUDY].title}" in page
