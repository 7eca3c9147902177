"""Training killed mid-run resumes from its last completed epoch and ends exactly where an uninterrupted run ends."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch
import yaml

from aelab import paths
from aelab.training.checkpoint import load_checkpoint
from tests.conftest import SMOKE_PARAMS

EPOCHS = 60
CPU = torch.device("cpu")


@pytest.fixture
def project(tiny_mnist, monkeypatch):
    """Smoke params with many short epochs, so a kill lands mid-run."""
    monkeypatch.chdir(tiny_mnist)
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["training"]["epochs"] = EPOCHS
    raw["variants"]["vae-regularised"]["training"] = {"noise": {"kind": "gaussian", "std": 0.2}}
    (tiny_mnist / "params.yaml").write_text(yaml.safe_dump(raw))
    return tiny_mnist


def train_command(variant: str) -> list[str]:
    return [sys.executable, "-m", "aelab", "train", variant, "--device", "cpu", "--threads", "1"]


def completed_epochs(variant: str) -> int:
    state = paths.training_state(variant, 0)
    return len(torch.load(state, weights_only=True)["history"]) if state.exists() else 0


def reachable_by_ctrl_c() -> None:
    """SIGINT's default disposition in the child, as in a foreground job: a shell starts background jobs (and this
    suite may run in one, or in an xdist worker) with SIGINT ignored, and a child inherits that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def kill_after_some_epochs(variant: str, sent: signal.Signals = signal.SIGKILL) -> tuple[int, str]:
    """(completed epochs, what the process said on stderr) of a training stopped by ``sent`` after 3 epochs."""
    command = train_command(variant)
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, preexec_fn=reachable_by_ctrl_c)
    try:
        while completed_epochs(variant) < 3:
            assert process.poll() is None, "training ended before it could be interrupted"
            time.sleep(0.01)
        os.kill(process.pid, sent)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    if sent != signal.SIGKILL:
        assert process.returncode == 128 + sent, stderr
    return completed_epochs(variant), stderr


def published(variant: str) -> tuple[pd.DataFrame, dict[str, torch.Tensor]]:
    history = pd.read_csv(paths.history(variant, 0)).drop(columns="seconds")
    return history, load_checkpoint(paths.checkpoint(variant, 0), CPU)[0].state_dict()


def test_killed_training_resumes_and_matches_an_uninterrupted_run(project):
    variant = "vae-regularised"  # the most stateful path: dropout, batchnorm, penalties, input noise, sampling
    subprocess.run(train_command(variant), check=True, stderr=subprocess.DEVNULL)
    uninterrupted_history, uninterrupted_weights = published(variant)
    shutil.rmtree("results")

    done, _ = kill_after_some_epochs(variant)
    assert 3 <= done < EPOCHS
    assert not paths.checkpoint(variant, 0).exists()  # nothing published by the killed run
    resumed = subprocess.run(train_command(variant), check=True, capture_output=True, text=True)
    assert f"resuming after epoch {done}" in resumed.stderr

    history, weights = published(variant)
    pd.testing.assert_frame_equal(history, uninterrupted_history, check_exact=True)
    for name, tensor in uninterrupted_weights.items():
        assert torch.equal(weights[name], tensor), name
    assert not paths.training_state(variant, 0).exists()


def test_state_of_another_configuration_is_not_resumed(project):
    variant = "mlp-conditional"
    kill_after_some_epochs(variant)
    raw = yaml.safe_load((project / "params.yaml").read_text())
    raw["variants"][variant]["model"]["latent_dim"] = 3
    (project / "params.yaml").write_text(yaml.safe_dump(raw))
    rerun = subprocess.run(train_command(variant), check=True, capture_output=True, text=True)
    assert "belongs to another configuration" in rerun.stderr
    assert len(pd.read_csv(paths.history(variant, 0))) == EPOCHS


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_stage_says_so_records_it_and_resumes(project, sent):
    """A scheduler's SIGTERM or a user's Ctrl-C: one line, no traceback, a failure record, and the run resumes."""
    variant = "ae-baseline"
    done, stderr = kill_after_some_epochs(variant, sent)
    assert "Traceback" not in stderr
    assert f"aelab train: interrupted by {sent.name}; nothing of this run was published; it resumes from its last " in (
        stderr
    )
    record = json.loads(paths.stage_failure("train", variant).read_text())
    assert record["error"].startswith(f"interrupted by {sent.name}")
    assert not paths.checkpoint(variant, 0).exists()
    resumed = subprocess.run(train_command(variant), check=True, capture_output=True, text=True)
    assert f"resuming after epoch {done}" in resumed.stderr
    assert not paths.stage_failure("train", variant).exists()  # it succeeded since
