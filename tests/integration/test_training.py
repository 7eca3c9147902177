"""Training and evaluation on generated data: reproducible, checkpoints round-trip safely."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from aelab import paths
from aelab.training.checkpoint import load_checkpoint
from aelab.training.stage import train_variant
from tests.conftest import with_seeds

CPU = torch.device("cpu")


def history(variant, seed=0):
    return pd.read_csv(paths.history(variant, seed))


@pytest.mark.parametrize("variant", ["vae-regularised", "ae-baseline", "mlp-denoise", "mlp-conditional"])
def test_two_cpu_runs_with_one_seed_are_identical(tiny_project, variant):
    train_variant(tiny_project, variant, CPU)
    first, first_weights = history(variant), load_checkpoint(paths.checkpoint(variant, 0), CPU)[0].state_dict()
    train_variant(tiny_project, variant, CPU)
    second, second_weights = history(variant), load_checkpoint(paths.checkpoint(variant, 0), CPU)[0].state_dict()
    losses = [column for column in first if column != "seconds"]
    assert len(first) == tiny_project.training.epochs
    pd.testing.assert_frame_equal(first[losses], second[losses], check_exact=True)
    for name, tensor in first_weights.items():
        assert torch.equal(tensor, second_weights[name]), name


def test_each_seed_is_its_own_run_and_the_summary_aggregates_them(tiny_project):
    two_seeds = with_seeds(tiny_project, [0, 1])
    summary = train_variant(two_seeds, "vae-baseline", CPU)
    first, second = history("vae-baseline", 0), history("vae-baseline", 1)
    assert not np.allclose(first["train_loss"], second["train_loss"])
    finals = [first["test_loss"].iloc[-1], second["test_loss"].iloc[-1]]
    assert summary["seeds"] == 2
    assert summary["final_test_loss"] == pytest.approx(np.mean(finals))
    assert summary["final_test_loss_std"] == pytest.approx(np.std(finals, ddof=1))
    # seed 0 of a two-seed run is the same run as seed 0 alone
    train_variant(tiny_project, "vae-baseline", CPU)
    pd.testing.assert_frame_equal(history("vae-baseline").drop(columns="seconds"), first.drop(columns="seconds"))


def test_checkpoint_round_trips_with_weights_only(tiny_project):
    train_variant(tiny_project, "vae-baseline", CPU)
    payload = torch.load(paths.checkpoint("vae-baseline", 0), weights_only=True)
    assert payload["model_config"] == tiny_project.variant("vae-baseline").model.model_dump()
    assert payload["metadata"]["image_shape"] == [1, 28, 28]
    assert payload["metadata"]["seed"] == 0
    assert payload["metadata"]["training"] == tiny_project.training_for("vae-baseline").model_dump()
    model, metadata = load_checkpoint(paths.checkpoint("vae-baseline", 0), CPU)
    assert metadata["variant"] == "vae-baseline"
    torch.testing.assert_close(model.state_dict(), payload["state_dict"])
    assert not model.training


def test_history_has_every_loss_term_per_epoch(tiny_project):
    train_variant(tiny_project, "vae-regularised", CPU)
    terms = history("vae-regularised")
    assert list(terms.columns) == [
        "epoch",
        "train_loss",
        "train_recon",
        "train_kl",
        "train_penalty",
        "test_loss",
        "test_recon",
        "test_kl",
        "test_penalty",
        "seconds",
    ]
    beta = tiny_project.variant("vae-regularised").model.beta
    np.testing.assert_allclose(
        terms["train_loss"], terms["train_recon"] + beta * terms["train_kl"] + terms["train_penalty"], rtol=1e-4
    )
    assert not paths.training_state("vae-regularised", 0).exists()  # dropped once published
    cost = json.loads(paths.train_metrics("vae-regularised").read_text())
    assert cost["seconds_per_epoch"] > 0 and cost["device"]


def test_each_variant_trains_with_its_own_seeds(tiny_project):
    assert tiny_project.seeds_for("vae-baseline") == [0] and tiny_project.seeds_for("ae-baseline") == [0, 1]
    summary = train_variant(tiny_project, "ae-baseline", CPU)
    assert summary["seeds"] == 2 and "final_test_loss_std" in summary
    assert sorted(path.name for path in paths.checkpoints_dir("ae-baseline").iterdir()) == ["seed0.pt", "seed1.pt"]
