"""Faults through the real engines: a diverging variant in a small real study, and two engines at once."""

import subprocess
import sys
import time

import pytest
import yaml

from aelab import paths
from aelab.pipeline import lock
from tests.conftest import SMOKE_PARAMS
from tests.workflow.conftest import engine_environment, git, run, smoke_project

pytestmark = pytest.mark.workflow

DIVERGING = "vae-baseline"
"""Trained with an absurd learning rate: its KL term overflows in the first epoch."""


def small_study(project):
    """The smoke study cut to MNIST and two variants, one of which diverges."""
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["datasets"] = {
        "idx": {"mnist": raw["datasets"]["idx"]["mnist"]},
        "cmnist": {},
        "cmnist_pooled": {},
        "coco_image_sets": [],
        "coco": {},
    }
    kept = {DIVERGING: raw["variants"][DIVERGING], "ae-baseline": raw["variants"]["ae-baseline"]}
    kept[DIVERGING]["training"] = {"learning_rate": 1.0e6}
    raw["variants"] = kept
    evaluation = raw["evaluation"]
    for task in ("latent", "manifold", "generation", "inpainting", "denoising", "anomaly", "diagnostics"):
        evaluation[task]["variants"] = []
    evaluation["sample_quality"]["variants"], evaluation["sample_quality"]["classifier"]["datasets"] = [], []
    evaluation["crossval"]["variants"], evaluation["devices"]["variants"] = [], []
    raw["studies"] = {"conv": {"title": "Two conv models", "variants": list(kept)}}
    (project / "params.yaml").write_text(yaml.safe_dump(raw))
    git("commit", "-qam", "a small study with a diverging variant", cwd=project)
    return project


def assert_report_names_the_divergence(project):
    html = (project / paths.report_html()).read_text()
    assert 'id="failures"' in html
    assert f"Failed: {DIVERGING}: {DIVERGING} seed 0: the training loss is not finite in epoch 1" in html
    assert (project / paths.task_metrics("ae-baseline", "reconstruction")).exists()  # the rest finished
    assert not (project / paths.checkpoints_dir(DIVERGING)).exists()  # nothing of the failure published


def test_snakemake_keep_going_finishes_the_rest_and_its_report_names_the_failed_variant(tmp_path_factory):
    project = small_study(smoke_project(tmp_path_factory, "diverging-snakemake"))
    result = run(["snakemake", "--cores", "4", "--keep-going"], project, check=False)
    assert result.returncode != 0 and f"logs/train/{DIVERGING}.log" in result.stdout + result.stderr
    assert "the training loss is not finite" in (project / "logs" / "train" / f"{DIVERGING}.log").read_text()
    assert_report_names_the_divergence(project)


def test_dvc_repro_stops_with_the_error_and_its_report_names_the_failed_variant(tmp_path_factory):
    project = small_study(smoke_project(tmp_path_factory, "diverging-dvc"))
    result = run(["dvc", "repro", "--keep-going"], project, check=False)
    assert result.returncode != 0
    assert f"aelab train: error: {DIVERGING} seed 0: the training loss is not finite" in result.stdout + result.stderr
    run(["dvc", "repro", "--single-item", "report"], project)  # README: the report of what exists
    assert_report_names_the_divergence(project)


def wait_for(condition, what: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_dvc_cannot_start_while_snakemake_runs_and_deletes_nothing(snakemake_project):
    """The probe that found it: dvc repro deleted a checkpoint under a running Snakemake job."""
    checkpoint = snakemake_project / paths.checkpoint("ae-baseline", 0)
    before = checkpoint.stat().st_mtime_ns
    snakemake = subprocess.Popen(
        ["snakemake", "--cores", "1", "--forcerun", "train_classifier"],
        cwd=snakemake_project,
        env=engine_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: holds_dvc_lock(snakemake_project, snakemake), "snakemake to take DVC's lock")
        result = run(["dvc", "repro", "--force", "train@ae-baseline"], snakemake_project, check=False)
        assert result.returncode != 0 and "Unable to acquire lock" in result.stdout + result.stderr
    finally:
        output = snakemake.communicate(timeout=600)[0]
    assert snakemake.returncode == 0, output
    assert checkpoint.stat().st_mtime_ns == before


def holds_dvc_lock(project, process) -> bool:
    """Whether the process runs and holds DVC's project lock (zc.lockfile writes its pid into the file)."""
    held = project / lock.DVC_LOCK
    return process.poll() is None and held.exists() and held.read_text().split() == [str(process.pid), "snakemake"]


HOLD_THE_PROJECT_LOCK = "repo.lock.lock()"
"""What every dvc command does first."""

RUN_A_STAGE = (
    "from dvc.rwlock import rwlock; "
    "stage = rwlock(repo.tmp_dir, repo.fs, 'dvc repro train@ae-baseline', [], [repo.root_dir + '/results'], False); "
    "stage.__enter__()"
)
"""What `dvc repro` does while a stage's command runs: DVC releases its project lock (so that the command may call
dvc) and records the stage's paths with its pid in .dvc/tmp/rwlock, through this function of DVC's."""


@pytest.mark.parametrize(
    ("dvc_at_work", "expected"),
    [
        (HOLD_THE_PROJECT_LOCK, "a DVC command is running in this project"),
        (RUN_A_STAGE, "DVC is running a stage in this project (dvc repro train@ae-baseline)"),
    ],
    ids=["project-lock", "stage-running"],
)
def test_snakemake_refuses_to_start_while_dvc_runs(dvc_project, dvc_at_work, expected):
    """DVC's own code takes its locks (as `dvc repro` does); a Snakemake run then refuses to start."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from dvc.repo import Repo; import time; repo = Repo('.'); {dvc_at_work}; "
            "print('working', flush=True); time.sleep(120)",
        ],
        cwd=dvc_project,
        env=engine_environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    report = dvc_project / paths.report_html()
    before = report.stat().st_mtime_ns
    try:
        assert holder.stdout.readline().strip() == "working"
        result = run(["snakemake", "--cores", "1", "--forcerun", "report"], dvc_project, check=False)
        assert result.returncode != 0 and expected in result.stdout + result.stderr
        assert report.stat().st_mtime_ns == before
    finally:
        holder.kill()
        holder.wait()
    # once DVC is gone, Snakemake may run (a killed dvc leaves stale entries behind, naming a dead pid)
    lock.hold_dvc_lock(dvc_project).close()


def copy_of(project, tmp_path_factory, name: str):
    """A copy of a finished project (modification times kept), to damage without touching the shared one."""
    import shutil

    copy = tmp_path_factory.mktemp(name) / "project"
    shutil.copytree(project, copy, symlinks=True)
    return copy


DELETED = [paths.task_metrics("vae-baseline", "latent"), paths.train_metrics("ae-baseline")]
"""A task's metrics and a training summary: results whose downstream files still exist."""


def commands_in_report(project) -> dict[str, tuple[str, str]]:
    """File -> (Snakemake command, DVC command) of the report's table of results not found."""
    import re

    html = (project / paths.report_html()).read_text()
    rows = re.findall(
        r"<tr><td><code>([^<]+)</code></td><td>[^<]+</td><td><code>([^<]+)</code></td><td><code>([^<]+)</code>", html
    )
    return {path: (snakemake, dvc) for path, snakemake, dvc in rows}


@pytest.mark.parametrize("engine", ["snakemake", "dvc"])
def test_a_deleted_result_is_named_by_the_report_and_its_command_rebuilds_exactly_it(
    engine, snakemake_project, dvc_project, tmp_path_factory
):
    """Neither engine rebuilds a deleted result whose downstream files exist; the report names each, with the
    command that runs its one job (Snakemake) or its one stage (DVC), and the rebuilt file is the one deleted."""
    import json

    project = copy_of(snakemake_project if engine == "snakemake" else dvc_project, tmp_path_factory, engine)
    before = {path: json.loads((project / path).read_text()) for path in DELETED}
    for path in DELETED:
        (project / path).unlink()
    run(["python", "-m", "aelab", "report"], project)
    commands = commands_in_report(project)
    assert set(commands) == {str(path) for path in DELETED}  # every one named, nothing else
    for path in DELETED:
        snakemake_command, dvc_command = commands[str(path)]
        result = run((snakemake_command if engine == "snakemake" else dvc_command).split(), project)
        if engine == "snakemake":
            assert "1 of 1 steps (100%) done" in result.stderr, result.stderr
        else:
            assert result.stdout.count("Running stage") == 1, result.stdout
        rebuilt = json.loads((project / path).read_text())
        unchanged = {key: value for key, value in before[path].items() if "second" not in key}  # not the timings
        assert {key: value for key, value in rebuilt.items() if "second" not in key} == unchanged, path


def test_snakemake_refuses_a_bad_site_setting_before_any_job_deletes_its_outputs(snakemake_project, tmp_path_factory):
    project = copy_of(snakemake_project, tmp_path_factory, "site-setting")
    report = project / paths.report_html()
    before = report.read_bytes()
    environment = engine_environment() | {"AELAB_DEVICE": "banana"}
    result = subprocess.run(
        ["snakemake", "--cores", "1", "--forcerun", "report"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert (
        "device 'banana' (from --device or $AELAB_DEVICE) is not one of auto, cpu, cuda"
        in result.stdout + result.stderr
    )
    assert report.read_bytes() == before  # no job ran, nothing deleted


def test_a_study_folder_moved_to_another_depth_reruns_nothing(snakemake_project, tmp_path_factory):
    """Snakemake tracks each job's code by content: the paths of the code relative to the study do not count."""
    import shutil

    project = copy_of(snakemake_project, tmp_path_factory, "study-depth")
    study = project / "studies" / "deeper" / "smoke"
    study.mkdir(parents=True)
    for name in ("params.yaml", "data", "results", "logs", ".snakemake"):
        shutil.move(project / name, study / name)
    result = run(["snakemake", "--cores", "1", "--dry-run", "--directory", str(study.relative_to(project))], project)
    assert "Nothing to be done" in result.stdout + result.stderr
