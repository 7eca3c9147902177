"""CPU against GPU: the devices are the stage's argument, a missing GPU is skipped, the CPU run is the training's."""

import json

import pandas as pd
import pytest
import torch

from aelab import paths
from aelab.config.base import ParamsError
from aelab.training.devices import compare_devices
from aelab.training.stage import train_variant

CPU = torch.device("cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only machine's comparison")
def test_without_a_gpu_the_cpu_alone_is_compared_and_equals_the_float32_training(tiny_project):
    metrics = compare_devices(tiny_project, "vae-baseline", ["cpu", "cuda"])
    assert metrics["devices_compared"] == 1 and not any(key.startswith("cuda_") for key in metrics)
    assert json.loads(paths.devices_metrics("vae-baseline").read_text()) == metrics
    history = pd.read_csv(paths.devices_history("vae-baseline", "cpu", 0))
    assert len(history) == tiny_project.training_for("vae-baseline").epochs
    assert {path.name for path in paths.devices_figures("vae-baseline").iterdir()} == {
        "loss_curves.png",
        "reconstructions.png",
        "samples.png",
        "latent.png",
    }
    assert not paths.devices_state("vae-baseline", "cpu", 0).exists()  # published, so the resume state is gone

    train_variant(tiny_project, "vae-baseline", CPU)  # the same seed on the same CPU, float32 by default
    trained = pd.read_csv(paths.history("vae-baseline", 0))
    assert metrics["cpu_final_test_loss"] == trained["test_loss"].iloc[-1]
    assert metrics["cpu_final_train_recon"] == trained["train_recon"].iloc[-1]


def test_a_variant_not_listed_for_the_comparison_is_refused(tiny_project):
    with pytest.raises(ParamsError, match="evaluation.devices.variants .* does not list 'ae-baseline'"):
        compare_devices(tiny_project, "ae-baseline", ["cpu"])


@pytest.mark.gpu
def test_with_a_gpu_both_devices_train_every_seed_in_float32_with_tf32_off(tiny_project):
    metrics = compare_devices(tiny_project, "vae-baseline", ["cpu", "cuda"])
    assert metrics["devices_compared"] == 2
    assert metrics["cpu_precision"] == metrics["cuda_precision"] == "float32" and metrics["cuda_tf32"] is False
    for device in ("cpu", "cuda"):
        assert paths.devices_history("vae-baseline", device, 0).exists()
    # float32 on both: the same losses up to the order of float sums
    assert metrics["cuda_final_test_loss"] == pytest.approx(metrics["cpu_final_test_loss"], rel=1e-2)
