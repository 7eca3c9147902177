"""Training and evaluation on generated data: reproducible, checkpoints round-trip safely."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from aelab import paths
from aelab.config import load_params
from aelab.evaluation.stage import evaluate_variant
from aelab.training.checkpoint import load_checkpoint
from aelab.training.loop import train_variant
from tests.conftest import SMOKE_PARAMS

CPU = torch.device("cpu")


@pytest.fixture
def project(tiny_mnist, monkeypatch):
    """A project directory with generated data and smoke params (2 epochs, tiny data)."""
    monkeypatch.chdir(tiny_mnist)
    shutil.copy(SMOKE_PARAMS, "params.yaml")
    return load_params("params.yaml")


@pytest.mark.parametrize("variant", ["vae-baseline", "ae-baseline"])
def test_two_cpu_runs_with_one_seed_are_identical(project, variant):
    first = train_variant(project, variant, CPU)
    first_weights = load_checkpoint(paths.checkpoint(variant), CPU)[0].state_dict()
    second = train_variant(project, variant, CPU)
    second_weights = load_checkpoint(paths.checkpoint(variant), CPU)[0].state_dict()
    losses = [column for column in first if column != "seconds"]
    assert len(first) == project.training.epochs
    pd.testing.assert_frame_equal(first[losses], second[losses], check_exact=True)
    for name, tensor in first_weights.items():
        assert torch.equal(tensor, second_weights[name]), name


def test_another_seed_changes_the_result(project):
    first = train_variant(project, "vae-baseline", CPU)
    reseeded = project.model_copy(update={"seed": 1})
    second = train_variant(reseeded, "vae-baseline", CPU)
    assert not np.allclose(first["train_loss"], second["train_loss"])


def test_checkpoint_round_trips_with_weights_only(project):
    train_variant(project, "vae-baseline", CPU)
    payload = torch.load(paths.checkpoint("vae-baseline"), weights_only=True)
    assert payload["model_config"] == {"family": "conv_vae", "latent_dim": 2, "loss": "bce", "beta": 1.0}
    assert payload["metadata"]["image_shape"] == [1, 28, 28]
    assert payload["metadata"]["training"] == project.training_for("vae-baseline").model_dump()
    model, metadata = load_checkpoint(paths.checkpoint("vae-baseline"), CPU)
    assert metadata["variant"] == "vae-baseline"
    torch.testing.assert_close(model.state_dict(), payload["state_dict"])
    assert not model.training


def test_history_has_every_loss_term_per_epoch(project):
    history = train_variant(project, "vae-baseline", CPU)
    assert list(history.columns) == [
        "epoch", "train_loss", "train_recon", "train_kl", "test_loss", "test_recon", "test_kl", "seconds",
    ]
    np.testing.assert_allclose(history["train_loss"], history["train_recon"] + history["train_kl"], rtol=1e-5)
    pd.testing.assert_frame_equal(pd.read_csv(paths.history("vae-baseline")), history, check_exact=False)
    cost = json.loads(paths.train_metrics("vae-baseline").read_text())
    assert cost["seconds_per_epoch"] > 0 and cost["device"]


def test_evaluation_writes_metrics_and_figures(project):
    train_variant(project, "vae-baseline", CPU)
    metrics = evaluate_variant("vae-baseline", project.evaluation, CPU)
    assert json.loads(paths.eval_metrics("vae-baseline").read_text()) == pytest.approx(metrics)
    assert set(metrics) == {"bce", "mse", "mae", "r2", "psnr"}
    figures = sorted(p.name for p in paths.figures_dir("vae-baseline").iterdir())
    assert figures == ["latent_grid.png", "latent_scatter.png", "loss_curves.png", "reconstructions.png"]
    assert all((paths.figures_dir("vae-baseline") / f).read_bytes()[:4] == b"\x89PNG" for f in figures)


def test_figures_depend_on_latent_size(project):
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    raw["variants"]["vae-baseline"]["model"]["latent_dim"] = 3
    params = project.model_validate(raw)
    train_variant(params, "vae-baseline", CPU)
    evaluate_variant("vae-baseline", params.evaluation, CPU)
    assert sorted(p.name for p in paths.figures_dir("vae-baseline").iterdir()) == ["loss_curves.png", "reconstructions.png"]
