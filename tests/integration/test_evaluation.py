"""Every evaluation task on trained smoke models: flat metrics, the figures it promises, seeds aggregated."""

import json
import shutil

import numpy as np
import pytest
import torch

from aelab import paths
from aelab.config import EVALUATION_TASKS, ParamsError, load_params
from aelab.evaluation.stage import evaluate_variant
from aelab.training.stage import train_variant
from tests.conftest import SMOKE_PARAMS, write_tiny_mnist

CPU = torch.device("cpu")
FIGURES = {
    "reconstruction": {"reconstructions.png", "loss_curves.png"},
    "latent": {"latent.png"},
    "manifold": {"manifold.png"},
    "generation": {"samples.png", "noise_samples.png"},
    "inpainting": {"inpainting.png"},
    "denoising": {"denoising.png"},
    "anomaly": {"error_histogram.png", "anomalies.png"},
    "diagnostics": {"kl_per_dimension.png"},
}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Tiny MNIST-like data (and its negative as the anomaly set), smoke params, three models trained with two seeds."""
    root = write_tiny_mnist(tmp_path_factory.mktemp("evaluation"))
    with np.load(root / paths.processed_file("mnist")) as arrays:
        np.savez(root / paths.processed_file("fashion_mnist"), **{k: (255 - v) if "images" in k else v for k, v in arrays.items()})
    shutil.copy(SMOKE_PARAMS, root / "params.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        params = load_params("params.yaml").model_copy(update={"seeds": [0, 1]})
        for variant in ("vae-baseline", "ae-baseline", "mlp-conditional"):
            train_variant(params, variant, CPU)
    return root, params


@pytest.mark.parametrize("task", EVALUATION_TASKS)
def test_every_task_writes_flat_metrics_and_its_figures(project, task, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    variant = "ae-baseline" if task in ("inpainting", "anomaly") else "vae-baseline"
    metrics = evaluate_variant(params, task, variant, CPU)
    assert json.loads(paths.task_metrics(variant, task).read_text()) == pytest.approx(metrics)
    assert all(isinstance(value, (int, float)) for value in metrics.values())  # flat, for dvc metrics diff
    assert all(f"{name}_std" in metrics for name in metrics if not name.endswith("_std"))  # two seeds
    figures = {path.name for path in paths.task_figures(variant, task).iterdir()}
    assert figures == FIGURES[task]


def test_conditional_generation_decodes_each_class(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    evaluate_variant(params, "generation", "mlp-conditional", CPU)
    assert (paths.task_figures("mlp-conditional", "generation") / "samples.png").exists()


def test_diagnostics_count_active_units_and_kl_per_dimension(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    metrics = evaluate_variant(params, "diagnostics", "vae-baseline", CPU)
    assert 0 <= metrics["active_units"] <= 2
    assert metrics["kl_total"] == pytest.approx(metrics["kl_dim0"] + metrics["kl_dim1"], rel=1e-6)
    assert metrics["kl_dim0"] >= 0 and metrics["kl_dim1"] >= 0


def test_denoising_reports_input_and_output_psnr_per_noise_model(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    metrics = evaluate_variant(params, "denoising", "vae-baseline", CPU)
    for name in ("gaussian_0p1", "gaussian_0p4", "salt_and_pepper_0p1", "speckle_0p4"):
        assert f"{name}_psnr_input" in metrics and f"{name}_psnr_output" in metrics
    assert metrics["gaussian_0p1_psnr_input"] > metrics["gaussian_0p4_psnr_input"]  # more noise, lower PSNR


def test_a_task_params_do_not_select_is_refused(project):
    _, params = project
    with pytest.raises(ParamsError, match="evaluation.diagnostics.variants in params.yaml does not list 'ae-baseline'"):
        params.require_task("diagnostics", "ae-baseline")
