"""The CUDA path: training, evaluation and resume on a GPU (run where one is visible, skipped elsewhere)."""

import json

import pytest
import torch

from aelab import paths
from aelab.evaluation.stage import evaluate_variant
from aelab.training.checkpoint import load_checkpoint
from aelab.training.stage import train_variant

pytestmark = pytest.mark.gpu
CUDA = torch.device("cuda")


def test_a_variant_trains_and_evaluates_on_the_gpu_and_its_checkpoint_loads_anywhere(tiny_project):
    summary = train_variant(tiny_project, "vae-baseline", CUDA)
    assert summary["device"] == torch.cuda.get_device_name(CUDA)
    metrics = evaluate_variant(tiny_project, "reconstruction", "vae-baseline", CUDA)
    assert metrics["bce"] > 0 and json.loads(paths.task_metrics("vae-baseline", "reconstruction").read_text())
    model, _ = load_checkpoint(paths.checkpoint("vae-baseline", 0), torch.device("cpu"))
    assert next(model.parameters()).device.type == "cpu"


class Interrupted(Exception):
    """Stands for a kill right after an epoch's resume state was saved."""


def test_a_gpu_run_resumes_from_its_state(tiny_project, monkeypatch, caplog):
    from aelab.training import engine

    real_save = engine.save_state

    def save_then_stop(*args):
        real_save(*args)
        raise Interrupted

    with monkeypatch.context() as patch:
        patch.setattr(engine, "save_state", save_then_stop)
        with pytest.raises(Interrupted):
            train_variant(tiny_project, "vae-baseline", CUDA)
    with caplog.at_level("INFO"):
        train_variant(tiny_project, "vae-baseline", CUDA)
    assert "resuming after epoch 1" in caplog.text
    assert len(json.loads(paths.train_metrics("vae-baseline").read_text())) > 0
