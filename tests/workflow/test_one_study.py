"""One study at a time: each engine builds what the study's section of the report needs, and nothing else."""

import pytest
import yaml

from aelab import paths
from aelab.config.loading import load_params
from tests.workflow.conftest import run, smoke_project

pytestmark = pytest.mark.workflow

STUDY = "coco"
"""The COCO designs share no dataset, classifier or cross-validation with the other studies: nothing else is built."""


@pytest.mark.parametrize("engine", ["snakemake", "dvc"])
def test_one_study_builds_its_variants_and_nothing_else(engine, tmp_path_factory):
    project = smoke_project(tmp_path_factory, f"one-study-{engine}")
    selection = ["--study", STUDY] + (["--dvc"] if engine == "dvc" else [])
    chosen = run(["python", "-m", "aelab", "targets", *selection], project).stdout.split()
    command = ["snakemake", "--cores", "2", *chosen] if engine == "snakemake" else ["dvc", "repro", *chosen]
    run(command, project)
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
        recorded_in_dvc_stage_by_stage(project)


def recorded_in_dvc_stage_by_stage(project):
    """A study is published one part at a time: `record` commits the finished stages and leaves the others out
    (a plain `dvc commit --force` refuses the whole project at the first stage not run)."""
    run(["python", "-m", "aelab", "record"], project)
    finished = run(["python", "-m", "aelab", "targets", "--study", STUDY, "--dvc"], project).stdout.split()
    locked = yaml.safe_load((project / "dvc.lock").read_text())["stages"]
    assert set(finished) <= set(locked)
    assert not any("vae-baseline" in stage for stage in locked)  # not run: left out
    assert "Data and pipelines are up to date." in run(["dvc", "status", *finished], project).stdout
