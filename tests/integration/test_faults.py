"""Faults a demanding user meets: a diverging run, damaged files, a full disk. Each stops with a message that names
its culprit and says what to do, and nothing good is replaced or published half-made."""

import gc
import json
import shutil
import subprocess
import sys

import pytest
import torch
import yaml

from aelab import paths
from aelab.config.loading import load_params
from aelab.report.build import build_report
from aelab.training.engine import TrainingDiverged
from aelab.training.stage import train_variant
from tests.conftest import SMOKE_PARAMS

CPU = torch.device("cpu")
NOT_JSON = ("NaN", "Infinity")


def aelab(*args, cwd):
    return subprocess.run([sys.executable, "-m", "aelab", *args], cwd=cwd, capture_output=True, text=True)


@pytest.fixture
def diverging(tiny_mnist, monkeypatch):
    """The smoke study with an absurd learning rate for vae-baseline (the VAE's KL overflows)."""
    monkeypatch.chdir(tiny_mnist)
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["variants"]["vae-baseline"]["training"] = {"learning_rate": 1.0e6}
    (tiny_mnist / "params.yaml").write_text(yaml.safe_dump(raw))
    return tiny_mnist


def test_a_diverging_training_stops_in_its_epoch_naming_variant_seed_term_and_hints(diverging):
    with pytest.raises(TrainingDiverged) as error:
        train_variant(load_params("params.yaml"), "vae-baseline", CPU)
    message = str(error.value)
    assert message.startswith("vae-baseline seed 0: the training loss is not finite in epoch 1 (")
    assert "nothing was published" in message and "training.learning_rate is 1e+06" in message
    assert any(f"{term} = " in message for term in ("loss", "recon", "kl"))
    for published in (
        paths.checkpoints_dir("vae-baseline"),
        paths.history_dir("vae-baseline"),
        paths.train_metrics("vae-baseline"),
    ):
        assert not published.exists(), published


def test_the_cli_reports_the_divergence_and_the_report_names_it(diverging):
    result = aelab("train", "vae-baseline", "--device", "cpu", cwd=diverging)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "aelab train: error: vae-baseline seed 0: the training loss is not finite in epoch 1" in result.stderr
    record = json.loads((diverging / paths.stage_failure("train", "vae-baseline")).read_text())
    assert record["stage"] == "train" and "not finite" in record["error"]

    assert aelab("train", "ae-baseline", "--device", "cpu", cwd=diverging).returncode == 0
    assert aelab("evaluate", "reconstruction", "ae-baseline", "--device", "cpu", cwd=diverging).returncode == 0
    html = build_report(load_params("params.yaml"), diverging / "params.yaml").read_text()
    assert 'id="failures"' in html and "vae-baseline seed 0: the training loss is not finite" in html
    assert '<p class="note failed">Failed: vae-baseline: vae-baseline seed 0: the training loss' in html

    # a later success clears the record: the report stops naming it
    raw = yaml.safe_load((diverging / "params.yaml").read_text())
    del raw["variants"]["vae-baseline"]["training"]
    (diverging / "params.yaml").write_text(yaml.safe_dump(raw))
    assert aelab("train", "vae-baseline", "--device", "cpu", cwd=diverging).returncode == 0
    assert not (diverging / paths.stage_failure("train", "vae-baseline")).exists()


def test_no_metrics_file_holds_nan_or_infinity(tmp_path):
    from aelab.io import write_json

    write_json(tmp_path / "m.json", {"silhouette": float("nan"), "nested": {"fd": float("inf")}, "ok": 1.5})
    text = (tmp_path / "m.json").read_text()
    assert not any(token in text for token in NOT_JSON)
    assert json.loads(text) == {"silhouette": None, "nested": {"fd": None}, "ok": 1.5}


@pytest.fixture
def trained(tiny_project, tmp_path):
    """ae-baseline trained (two seeds in the smoke params) in the tiny project."""
    train_variant(tiny_project, "ae-baseline", CPU)
    return tiny_project


def test_a_truncated_checkpoint_is_named_with_what_to_do(trained, tiny_mnist):
    checkpoint = paths.checkpoint("ae-baseline", 0)
    checkpoint.write_bytes(checkpoint.read_bytes()[:1000])
    result = aelab("evaluate", "reconstruction", "ae-baseline", "--device", "cpu", cwd=tiny_mnist)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{checkpoint}: cannot be read (" in result.stderr and "truncated or damaged" in result.stderr
    models = paths.checkpoints_dir("ae-baseline")
    assert (
        f"rebuild it: snakemake --cores 2 --force {models} (or dvc repro --force --single-item train@ae-baseline)"
        in (result.stderr)
    )


class Payload:
    def __reduce__(self):
        return (print, ("code ran while loading",))


def test_a_checkpoint_holding_code_is_refused_unrun(trained, tiny_mnist):
    checkpoint = paths.checkpoint("ae-baseline", 0)
    torch.save({"format_version": 4, "state_dict": {}, "payload": Payload()}, checkpoint)
    result = aelab("evaluate", "reconstruction", "ae-baseline", "--device", "cpu", cwd=tiny_mnist)
    assert result.returncode == 2 and "code ran while loading" not in result.stdout
    assert f"{checkpoint}: refused, it holds more than tensors and plain values" in result.stderr


def test_an_unreadable_resume_state_is_set_aside_and_training_starts_fresh(tiny_project, caplog):
    state = paths.training_state("vae-baseline", 0)
    state.parent.mkdir(parents=True)
    state.write_bytes(b"PK\x03\x04 not a whole zip file")
    summary = train_variant(tiny_project, "vae-baseline", CPU)
    assert summary["seeds"] == 1 and paths.checkpoint("vae-baseline", 0).exists()
    aside = list(state.parent.glob("seed0.pt.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"PK\x03\x04 not")
    assert "set aside as" in caplog.text and "training starts from scratch" in caplog.text


def test_a_truncated_metrics_file_stops_the_report_naming_it(trained, tiny_mnist):
    assert aelab("evaluate", "reconstruction", "ae-baseline", "--device", "cpu", cwd=tiny_mnist).returncode == 0
    metrics = paths.task_metrics("ae-baseline", "reconstruction")
    metrics.write_text(metrics.read_text()[:40])
    result = aelab("report", cwd=tiny_mnist)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{metrics}: not valid JSON" in result.stderr
    assert f"snakemake --cores 2 --force {metrics} (or dvc repro --force --single-item reconstruction@ae-baseline)" in (
        result.stderr
    )


@pytest.fixture
def full_disk(tmp_path):
    """A 256 KiB file system (tmpfs), as a disk that fills up during a run; needs root."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mount
    gc.collect()  # torch's failed writer may still hold its file until collected
    subprocess.run(["umount", "--lazy", str(mount)], check=True)


def test_a_full_disk_says_so_and_keeps_the_previous_file(full_disk):
    from aelab.io import DiskFull, atomic_path

    target = full_disk / "seed0.pt"
    torch.save({"weights": torch.zeros(10)}, target)
    before = target.read_bytes()
    with pytest.raises(DiskFull) as error, atomic_path(target) as temporary:
        torch.save({"weights": torch.zeros(200_000)}, temporary)  # 800 KB: does not fit
    message = str(error.value)
    assert message.startswith(f"no space left on device while writing {target} (")
    assert "unexpected pos" not in message.split("(")[0] and "nothing was replaced" in message
    assert target.read_bytes() == before
    assert [path.name for path in full_disk.iterdir()] == ["seed0.pt"]


def test_a_damaged_mirror_file_is_named_where_it_lies(tmp_path):
    from aelab.data.fetch import DataError, verify
    from aelab.data.sources import RemoteFile

    mirror_file = tmp_path / "mirror" / "t10k-labels-idx1-ubyte.gz"
    mirror_file.parent.mkdir()
    mirror_file.write_bytes(b"\x1f\x8b\x08 truncated")
    staging = tmp_path / ".raw.staging" / mirror_file.name
    staging.parent.mkdir()
    shutil.copy(mirror_file, staging)
    with pytest.raises(DataError, match=rf"^{mirror_file}: cannot be decompressed"):
        verify(staging, RemoteFile(mirror_file.name, "0" * 64, 10), mirror_file)


def test_a_checkpoint_of_another_variant_is_refused_naming_what_differs(tiny_project, tiny_mnist):
    """One variant's checkpoint copied over another's (same family, another latent size) was scored as the other's."""
    for variant in ("vae-baseline", "vae-regularised"):
        train_variant(tiny_project, variant, CPU)
    target = paths.checkpoint("vae-baseline", 0)
    shutil.copyfile(paths.checkpoint("vae-regularised", 0), target)
    result = aelab("evaluate", "reconstruction", "vae-baseline", "--device", "cpu", cwd=tiny_mnist)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{target}: written for another run than params.yaml defines" in result.stderr
    assert "variant 'vae-regularised' (params.yaml: 'vae-baseline')" in result.stderr
    assert "model.latent_dim 3 (params.yaml: 2)" in result.stderr
    assert "dvc repro --force --single-item train@vae-baseline" in result.stderr
    assert not paths.task_metrics("vae-baseline", "reconstruction").exists()


def test_a_checkpoint_of_another_seed_is_refused(trained, tiny_mnist):
    shutil.copyfile(paths.checkpoint("ae-baseline", 1), paths.checkpoint("ae-baseline", 0))
    result = aelab("evaluate", "reconstruction", "ae-baseline", "--device", "cpu", cwd=tiny_mnist)
    assert result.returncode == 2 and "seed 1 (params.yaml: 0)" in result.stderr


def test_a_classifier_of_other_settings_is_refused(tiny_project, tiny_mnist):
    from aelab.classifier.stage import train_classifier

    train_variant(tiny_project, "vae-baseline", CPU)
    train_classifier(tiny_project, "mnist", CPU)
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["evaluation"]["sample_quality"]["classifier"]["seed"] = 7
    (tiny_mnist / "params.yaml").write_text(yaml.safe_dump(raw))
    result = aelab("evaluate", "sample_quality", "vae-baseline", "--device", "cpu", cwd=tiny_mnist)
    assert result.returncode == 2 and "seed 0 (params.yaml: 7)" in result.stderr
    assert "train_classifier@mnist" in result.stderr


def test_a_stage_argument_that_is_a_path_is_refused_before_anything_is_written(tiny_project, tiny_mnist):
    before = set(tiny_mnist.parent.rglob("*"))
    for argument in ("../../results/variants/x/train", str(tiny_mnist / "elsewhere")):
        result = aelab("train", argument, cwd=tiny_mnist)
        assert result.returncode == 2 and "is not an id of params.yaml" in result.stderr
    assert set(tiny_mnist.parent.rglob("*")) == before  # no failure record, anywhere


def test_params_yaml_that_is_a_folder_is_one_clear_line(tmp_path):
    (tmp_path / "params.yaml").mkdir()
    result = aelab("check", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "params.yaml: not a file" in result.stderr


def test_an_unknown_site_setting_stops_evaluate_before_it_runs(trained, tiny_mnist, monkeypatch):
    monkeypatch.setenv("AELAB_PRECISION", "fp16")
    result = aelab("evaluate", "reconstruction", "ae-baseline", cwd=tiny_mnist)
    assert result.returncode == 2 and "$AELAB_PRECISION='fp16' is not one of fp32, bf16" in result.stderr
    assert not paths.task_metrics("ae-baseline", "reconstruction").exists()


def test_a_batch_larger_than_the_training_set_is_said(tiny_project, caplog):
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["variants"]["ae-baseline"]["training"] = {"batch_size": 500}
    params = load_params_from(raw)
    with caplog.at_level("WARNING"):
        train_variant(params, "ae-baseline", CPU)
    assert "batch_size 500 is larger than the 96 training images" in caplog.text


def load_params_from(raw: dict):
    from pathlib import Path

    Path("params.yaml").write_text(yaml.safe_dump(raw))
    return load_params("params.yaml")


def test_recording_a_project_with_a_damaged_dvc_lock_is_one_clear_line(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=tmp_path, check=True)
    shutil.copy(SMOKE_PARAMS.parents[2] / "dvc.yaml", tmp_path / "dvc.yaml")
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    (tmp_path / "dvc.lock").write_text("schema: '2.0'\nstages:\n  train@x:\n    deps:\n    - path: a\n      size: [")
    result = aelab("record", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "DVC cannot record this project's pipeline" in result.stderr and "dvc.lock" in result.stderr
