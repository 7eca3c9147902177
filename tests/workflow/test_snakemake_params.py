"""Snakemake stops on bad params before planning anything, naming the key."""

import shutil
import subprocess

import pytest
import yaml

from tests.conftest import ROOT, SMOKE_PARAMS
from tests.workflow.conftest import engine_environment

pytestmark = pytest.mark.workflow


def dry_run(study):
    command = ["snakemake", "--dry-run", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(study)]
    return subprocess.run(command, env=engine_environment(), capture_output=True, text=True)


def test_a_study_directory_with_its_own_params_is_planned(tmp_path):
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["variants"] = {"vae-latent3": raw["variants"]["vae-baseline"]}
    raw["studies"] = {"latent": {"title": "Latent size 3", "variants": ["vae-latent3"]}}
    for settings in raw["evaluation"].values():
        if isinstance(settings, dict) and "variants" in settings:
            settings["variants"] = []
    raw["evaluation"]["latent"]["variants"] = ["vae-latent3"]
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    result = dry_run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wildcards: variant=vae-latent3" in result.stdout
    assert "vae-baseline" not in result.stdout


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw["training"].update(epohcs=3), "training.epohcs: unknown key"),
        (
            lambda raw: raw["variants"]["vae-baseline"]["model"].update(latent_dim=0),
            "variants.vae-baseline.model.latent_dim: Input should be greater than 0",
        ),
    ],
)
def test_bad_params_stop_the_workflow_with_the_key(tmp_path, mutate, expected):
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    mutate(raw)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw))
    result = dry_run(tmp_path)
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def test_changed_dataset_settings_rerun_their_snakemake_job(snakemake_project):
    params_file = snakemake_project / "params.yaml"
    original = params_file.read_text()
    try:
        params_file.write_text(original.replace("rho: 0.1", "rho: 0.2"))
        plan = subprocess.run(
            ["snakemake", "--dry-run"], cwd=snakemake_project, env=engine_environment(), capture_output=True, text=True
        ).stdout
        assert "rule colourise:" in plan and "Params have changed since last execution" in plan
        assert "rule preprocess:" not in plan
    finally:
        params_file.write_text(original)


@pytest.mark.parametrize("option", [["--configfile", "other.yaml"], ["--config", "epochs=1"]])
def test_a_config_given_to_snakemake_is_refused_not_ignored(tmp_path, option):
    """The stages read params.yaml themselves: a --configfile or --config would silently not reach them."""
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    shutil.copy(SMOKE_PARAMS, tmp_path / "other.yaml")
    command = ["snakemake", "--dry-run", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(tmp_path), *option]
    result = subprocess.run(command, cwd=tmp_path, env=engine_environment(), capture_output=True, text=True)
    assert result.returncode != 0
    assert (
        "aelab reads its study from params.yaml only; --configfile and --config do not reach its stages"
        in result.stdout + result.stderr
    )


def test_a_yaml_error_names_its_line_before_snakemake_reads_the_file(tmp_path):
    text = SMOKE_PARAMS.read_text().replace("  epochs: 2\n", "  epochs: [2\n", 1)
    (tmp_path / "params.yaml").write_text(text)
    result = dry_run(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "params.yaml: not valid YAML" in output
    assert "line 26, column" in output or "line 27, column" in output
