"""Every evaluation task on trained smoke models: flat metrics, the figures it promises, seeds aggregated."""

import json
import re
import shutil

import numpy as np
import pytest
import torch

from aelab import paths
from aelab.classifier.model import load_classifier
from aelab.classifier.stage import train_classifier
from aelab.config.base import ParamsError
from aelab.config.loading import load_params
from aelab.config.tasks import EVALUATION_TASKS
from aelab.data.loading import load_split
from aelab.errors import UserError
from aelab.evaluation.context import Context
from aelab.evaluation.live_units import count_live_units, relu_encoder, variant_live_units
from aelab.evaluation.sample_quality import frechet_distance
from aelab.evaluation.stage import evaluate_variant
from aelab.evaluation.tasks import task as aelab_task
from aelab.training.stage import train_variant
from tests.conftest import SMOKE_PARAMS, with_seeds, write_tiny_mnist

CPU = torch.device("cpu")
SOME_MODELS_ONLY = {"samples_full_cov", "latent_colour", "latent_train", "latent_colour_train"}
"""Declared figures drawn for some models only: a deterministic AE's second sampler, CMNIST's colour and training
views (tested below on such models)."""


def drawn(variant: str, task: str) -> set[str]:
    return {path.name for path in paths.task_figures(variant, task).glob("*.png")}


def declared_figures(task: str, seeds: list[int], names=None) -> set[str]:
    """The figures the task declares (or ``names`` of them), of the seeds it draws, named by seed."""
    declared = aelab_task(task)
    shown = seeds if declared.every_seed_drawn else seeds[:1]
    return {paths.figure_file(name, seed) for name in (names or declared.figures) for seed in shown}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Tiny MNIST-like data (and its negative as the anomaly set), smoke params, three models trained with
    two seeds, and the sample-quality classifier."""
    root = write_tiny_mnist(tmp_path_factory.mktemp("evaluation"))
    with np.load(root / paths.processed_file("mnist")) as arrays:
        np.savez(
            root / paths.processed_file("fashion_mnist"),
            **{k: (255 - v) if "images" in k else v for k, v in arrays.items()},
        )
    shutil.copy(SMOKE_PARAMS, root / "params.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        params = with_seeds(load_params("params.yaml"), [0, 1])
        for variant in ("vae-baseline", "ae-baseline", "mlp-conditional"):
            train_variant(params, variant, CPU)
        train_classifier(params, "mnist", CPU)
    return root, params


@pytest.mark.parametrize("task", EVALUATION_TASKS)
def test_every_task_writes_flat_metrics_and_its_figures(project, task, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    variant = "ae-baseline" if task in ("inpainting", "anomaly") else "vae-baseline"
    metrics = evaluate_variant(params, task, variant, CPU)
    assert json.loads(paths.task_metrics(variant, task).read_text()) == pytest.approx(metrics)
    assert all(isinstance(value, (int, float)) for value in metrics.values())  # flat, for dvc metrics diff
    per_seed = {f"{name}_seed{seed}" for name in aelab_task(task).per_seed for seed in (0, 1)}
    assert {key for key in per_seed if key.rsplit("_seed", 1)[0] in metrics} <= metrics.keys()  # kept per seed
    means = metrics.keys() - per_seed
    assert all(f"{name}_std" in metrics for name in means if not name.endswith("_std"))  # two seeds
    always = [name for name in aelab_task(task).figures if name not in SOME_MODELS_ONLY]
    assert declared_figures(task, [0, 1], always) <= drawn(variant, task) <= declared_figures(task, [0, 1])


def test_conditional_generation_decodes_each_class(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    evaluate_variant(params, "generation", "mlp-conditional", CPU)
    assert paths.task_figure("mlp-conditional", "generation", "samples", 0).exists()


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


def test_classifier_learns_the_classes_and_reloads_with_weights_only(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    metrics = json.loads(paths.classifier_metrics("mnist").read_text())
    assert metrics["test_accuracy"] > 0.5  # ten classes: chance is 0.1
    classifier = load_classifier(paths.classifier_model("mnist"), CPU)
    test = load_split(paths.processed_file("mnist"), "test")
    _, probabilities = classifier.embed(test.images, 16)
    accuracy = (probabilities.argmax(1) == test.labels).float().mean().item()
    assert accuracy == pytest.approx(metrics["test_accuracy"])


def test_sample_quality_of_real_images_is_near_zero_and_of_noise_large(project, monkeypatch):
    root, _ = project
    monkeypatch.chdir(root)
    classifier = load_classifier(paths.classifier_model("mnist"), CPU)
    train, test = (load_split(paths.processed_file("mnist"), split).images for split in ("train", "test"))

    def features(images):
        return classifier.embed(images, 32)[0].double().numpy()

    real = features(test)
    noise = features(torch.rand(len(test), 1, 28, 28, generator=torch.Generator().manual_seed(0)))
    assert frechet_distance(real, real) == pytest.approx(0.0, abs=1e-6)
    real_vs_real = frechet_distance(features(train[: len(test)]), real)
    assert frechet_distance(noise, real) > 10 * real_vs_real


def test_conditional_sample_quality_checks_the_requested_labels(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    metrics = evaluate_variant(params, "sample_quality", "mlp-conditional", CPU)
    assert 0.0 <= metrics["label_agreement"] <= 1.0
    assert metrics["frechet_distance"] >= 0 and 0.0 <= metrics["confident_share"] <= 1.0


def test_cmnist_codes_are_scored_by_digit_and_by_colour(project, monkeypatch):
    """A model of the pooled CMNIST: silhouettes by class and by stroke colour, and a figure for each."""
    from aelab.data.cmnist import pool_cmnist

    root, params = project
    monkeypatch.chdir(root)
    with np.load(paths.processed_file("mnist")) as arrays:
        mnist = dict(arrays)
    pooled = params.datasets.cmnist_pooled["cmnist-pooled"]
    levels = [params.datasets.cmnist[level].model_copy(update={"validation_images": 16}) for level in pooled.levels]
    np.savez(paths.processed_file("cmnist-pooled"), **pool_cmnist(mnist, levels, pooled))
    train_variant(params, "ae-deep-cmnist", CPU)
    metrics = evaluate_variant(params, "latent", "ae-deep-cmnist", CPU)
    assert -1 <= metrics["silhouette"] <= 1 and -1 <= metrics["silhouette_colour"] <= 1
    assert metrics["silhouette"] != metrics["silhouette_colour"]
    assert {"silhouette_train", "silhouette_colour_train"} <= metrics.keys()  # the training pool too
    assert drawn("ae-deep-cmnist", "latent") == declared_figures("latent", [0, 1])


def test_a_deterministic_ae_is_sampled_and_scored_per_dimension_and_with_full_covariance(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    scores = evaluate_variant(params, "sample_quality", "ae-baseline", CPU)
    for name in ("frechet_distance", "confident_share"):
        assert {name, f"{name}_full_cov"} <= set(scores)
    assert scores["frechet_distance"] != scores["frechet_distance_full_cov"]
    generated = evaluate_variant(params, "generation", "ae-baseline", CPU)
    assert {"sample_mean_intensity", "sample_mean_intensity_full_cov"} <= set(generated)
    assert drawn("ae-baseline", "generation") == declared_figures("generation", [0, 1])


def test_live_units_are_the_encoder_features_that_fire_for_some_test_image(project, monkeypatch):
    root, params = project
    monkeypatch.chdir(root)
    counts = variant_live_units(params, "vae-baseline", CPU)
    model = Context.load(params, "vae-baseline", 0, CPU, {}).model
    images = load_split(paths.processed_file("mnist"), "test", CPU).images
    with torch.no_grad():
        features = model.encoder(images)
    assert [(count.seed, count.images) for count in counts] == [(0, len(images)), (1, len(images))]
    assert (counts[0].live, counts[0].units) == (int((features > 0).any(0).sum()), features.shape[1])
    assert count_live_units(model.encoder, images, 7) == (counts[0].live, counts[0].units)  # batches: any of any
    dense = [module for module in model.encoder.modules() if isinstance(module, torch.nn.Linear)][-1]
    with torch.no_grad():
        dense.bias.fill_(-1e6)  # every unit of the last ReLU layer dead, as in a collapsed stride-1 VAE
    assert count_live_units(model.encoder, images, 7) == (0, features.shape[1])


@pytest.mark.parametrize(
    ("encoder", "named"),
    [(torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Tanh()), "(Tanh)"), (None, "(no encoder module)")],
)
def test_live_units_are_refused_for_an_encoder_that_does_not_end_in_a_relu(encoder, named):
    model = torch.nn.Module()
    model.encoder = encoder
    with pytest.raises(UserError, match=re.escape(f"m3: its encoder does not end in a ReLU layer {named}")):
        relu_encoder(model, "m3")
