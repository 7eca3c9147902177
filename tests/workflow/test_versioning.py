"""Versioning in practice: Snakemake results recorded by DVC, a remote round trip, experiments."""

import json
import subprocess

import pytest

from aelab import paths
from tests.workflow.conftest import git, run, variant_stages

pytestmark = pytest.mark.workflow


def test_snakemake_runs_independent_variants_in_parallel(snakemake_project):
    """With one thread per job (the site default), `--cores 2` keeps two training jobs running at once."""
    log = min((snakemake_project / ".snakemake" / "log").glob("*.snakemake.log"))  # the first run's (timestamped names)
    running = most = 0
    for line in log.read_text().splitlines():
        if line.strip() in {"rule train:", "localrule train:"}:
            running += 1
        elif line.startswith("Finished jobid") and "(Rule: train)" in line:
            running -= 1
        most = max(most, running)
    assert most == 2


def test_training_jobs_declare_a_gpu_resource(snakemake_project):
    plan = run(["snakemake", "--dry-run", "--forcerun", "train", "--resources", "gpu=1"], snakemake_project).stdout
    train_jobs = [block for block in plan.split("\n\n") if "rule train:" in block]
    assert train_jobs and all("gpu=1" in block for block in train_jobs)


def test_recording_snakemake_results_in_dvc_leaves_both_engines_nothing_to_do(snakemake_project):
    """`python -m aelab record` commits without relinking (a plain commit rewrites single-file outputs, and
    Snakemake would then retrain what reads them)."""
    processed = snakemake_project / "data" / "processed" / "mnist.npz"
    before = processed.stat().st_mtime_ns
    run(["python", "-m", "aelab", "record"], snakemake_project)
    assert processed.stat().st_mtime_ns == before
    assert "Data and pipelines are up to date." in run(["dvc", "status"], snakemake_project).stdout
    assert "Running stage" not in run(["dvc", "repro"], snakemake_project).stdout
    # ... and leaves Snakemake with nothing to do (DVC must not rewrite outputs with new mtimes)
    assert "Nothing to be done" in run(["snakemake", "--cores", "4", "--dry-run"], snakemake_project).stdout


def test_remote_round_trip_needs_no_recomputation(dvc_project, tmp_path):
    remote = tmp_path / "remote"
    remote.mkdir()
    run(["dvc", "remote", "add", "--default", "storage", str(remote)], dvc_project)
    git("commit", "-qam", "add a DVC remote", cwd=dvc_project)
    run(["dvc", "push"], dvc_project)

    clone = tmp_path / "clone"
    git("clone", "-q", str(dvc_project), str(clone), cwd=tmp_path)
    assert not (clone / paths.checkpoint("vae-baseline", 0)).exists()
    run(["dvc", "pull"], clone)
    checkpoint = paths.checkpoint("vae-baseline", 0)
    assert (clone / checkpoint).read_bytes() == (dvc_project / checkpoint).read_bytes()
    assert "Data and pipelines are up to date." in run(["dvc", "status"], clone).stdout
    assert "Running stage" not in run(["dvc", "repro"], clone).stdout


def test_experiment_reruns_only_what_reads_the_changed_key(dvc_project):
    """An MLP VAE's latent size: its five stages of small models (the conv VAE's would add cross-validation and the
    device comparison)."""
    result = run(
        ["dvc", "exp", "run", "--temp", "--name", "latent3", "--set-param", "variants.mlp-vae.model.latent_dim=3"],
        dvc_project,
    )
    ran = {line.split("'")[1] for line in result.stdout.splitlines() if line.startswith("Running stage")}
    assert ran == variant_stages(dvc_project, "mlp-vae") | {"check", "report"}
    table = json.loads(run(["dvc", "exp", "show", "--json"], dvc_project).stdout)
    (experiment,) = [rev for row in table for exp in (row.get("experiments") or []) for rev in exp["revs"]]
    assert experiment["name"] == "latent3"
    data = experiment["data"]
    assert data["params"]["params.yaml"]["data"]["variants"]["mlp-vae"]["model"]["latent_dim"] == 3
    baseline = json.loads((dvc_project / paths.task_metrics("mlp-vae", "reconstruction")).read_text())
    changed = data["metrics"][str(paths.task_metrics("mlp-vae", "reconstruction"))]["data"]
    assert changed["bce"] != baseline["bce"]
    clean = subprocess.run(["git", "status", "--porcelain"], cwd=dvc_project, capture_output=True, text=True)
    assert clean.stdout == ""  # --temp leaves the workspace as it was
