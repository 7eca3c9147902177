"""Evaluation metrics against hand-computable cases."""

import math

import numpy as np
import pytest
import torch

from aelab.aggregation import aggregate
from aelab.evaluation.anomaly import detection_scores
from aelab.evaluation.denoising import noise_name
from aelab.evaluation.inpainting import fixed_hole, hole_errors, random_holes
from aelab.evaluation.reconstruction import psnr, reconstruction_metrics, ssim
from aelab.evaluation.sample_quality import confident_share, frechet_distance
from aelab.training.crossval import fold_indices


def test_psnr_of_a_known_error():
    truth = torch.zeros(2, 1, 10, 10)
    noisy = truth + 0.1  # MSE 0.01 -> 20 dB
    torch.testing.assert_close(psnr(truth, noisy), torch.tensor([20.0, 20.0], dtype=torch.float64))
    assert psnr(truth, truth)[0].item() == pytest.approx(100.0)  # floored, not infinite


def test_metrics_of_a_constant_offset():
    originals = torch.tensor([[0.0, 0.5, 1.0, 0.25], [1.0, 0.0, 0.5, 0.75]]).view(2, 1, 2, 2)
    reconstructed = (originals + 0.1).clamp(max=1.0)
    metrics = reconstruction_metrics(originals, reconstructed)
    errors = (reconstructed - originals).flatten()
    assert metrics["mse"] == pytest.approx(float((errors**2).mean()))
    assert metrics["mae"] == pytest.approx(float(errors.abs().mean()))
    per_image = 10 * np.log10(1 / (errors.view(2, 4) ** 2).mean(1).numpy())
    assert metrics["psnr"] == pytest.approx(float(per_image.mean()))


def test_r2_is_one_for_perfect_and_variance_weighted():
    originals = torch.rand(10, 1, 12, 12)
    perfect = reconstruction_metrics(originals, originals.clone())
    assert perfect["r2"] == pytest.approx(1.0)
    assert perfect["ssim"] == pytest.approx(1.0)
    # predicting each pixel's mean explains nothing: R^2 = 0
    mean = originals.mean(0, keepdim=True).expand_as(originals)
    assert reconstruction_metrics(originals, mean)["r2"] == pytest.approx(0.0, abs=1e-12)
    assert not math.isnan(perfect["psnr"])


def test_ssim_of_a_brightness_shift_is_the_luminance_term():
    """Constant images a and b: SSIM = (2ab + C1) / (a^2 + b^2 + C1) (no structure, no contrast)."""
    a, b = 0.2, 0.6
    value = ssim(torch.full((1, 3, 16, 16), a), torch.full((1, 3, 16, 16), b)).item()
    assert value == pytest.approx((2 * a * b + 1e-4) / (a * a + b * b + 1e-4))
    noise = torch.rand(1, 1, 28, 28)
    assert ssim(noise, torch.rand(1, 1, 28, 28)).item() < 0.2


def test_fixed_hole_covers_exactly_rows_and_columns_10_to_20():
    hole = fixed_hole((3, 1, 28, 28), start=10, size=10)
    assert hole.shape == (3, 1, 28, 28) and hole.sum() == 3 * 100
    rows, cols = torch.nonzero(hole[0, 0], as_tuple=True)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (10, 19, 10, 19)


def test_random_holes_are_squares_inside_the_image_and_seeded():
    first = random_holes((50, 1, 28, 28), 15, torch.Generator().manual_seed(0))
    again = random_holes((50, 1, 28, 28), 15, torch.Generator().manual_seed(0))
    assert torch.equal(first, again)
    assert (first.flatten(1).sum(1) == 225).all()
    for mask in first[:, 0]:
        rows, cols = torch.nonzero(mask, as_tuple=True)
        assert rows.max() - rows.min() == 14 and cols.max() - cols.min() == 14
    assert len({tuple(torch.nonzero(m)[0].tolist()) for m in first[:, 0]}) > 10  # positions vary


def test_hole_errors_split_inside_and_whole_image():
    originals = torch.zeros(2, 1, 4, 4)
    reconstructed = originals.clone()
    hole = torch.zeros(2, 1, 4, 4, dtype=torch.bool)
    hole[..., :2, :2] = True
    reconstructed[hole] = 0.5
    errors = hole_errors(originals, reconstructed, hole)
    assert errors["mse_hole"] == pytest.approx(0.25)
    assert errors["mse_image"] == pytest.approx(0.25 * 4 / 16)


def test_detection_scores_of_separable_and_reversed_errors():
    normal, anomalous = np.array([0.1, 0.2, 0.3]), np.array([0.5, 0.6])
    assert detection_scores(normal, anomalous) == {"roc_auc": 1.0, "average_precision": 1.0}
    assert detection_scores(anomalous, normal)["roc_auc"] == 0.0


def test_aggregate_is_mean_and_sample_std_over_seeds():
    summary = aggregate({0: {"psnr": 10.0}, 1: {"psnr": 12.0}, 2: {"psnr": 14.0}})
    assert summary == {"psnr": 12.0, "psnr_std": 2.0}
    assert aggregate({0: {"psnr": 10.0}}) == {"psnr": 10.0}


def test_noise_names_are_metric_key_safe():
    from pydantic import TypeAdapter

    from aelab.config.noise import NoiseConfig

    config = TypeAdapter(NoiseConfig).validate_python({"kind": "gaussian", "std": 0.1})
    assert noise_name(config) == "gaussian_0p1"


def test_image_grid_places_images_row_by_row_like_make_grid():
    from torchvision.utils import make_grid

    from aelab.plotting.grid import image_grid

    images = np.random.default_rng(0).random((7, 3, 4, 5)).astype(np.float32)
    expected = make_grid(torch.from_numpy(images), nrow=3, padding=2, pad_value=1.0).permute(1, 2, 0).numpy()
    np.testing.assert_array_equal(image_grid(images, 3), expected)
    grey = image_grid(images[:, :1], 4)
    assert grey.ndim == 2 and grey[2, 2] == images[0, 0, 0, 0]


def _features(rows: int = 500, dim: int = 6) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(rows, dim)) @ np.diag(np.arange(1.0, dim + 1))


def test_frechet_distance_of_identical_features_is_zero():
    features = _features()
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_of_a_shift_is_its_squared_length():
    features = _features()
    shift = np.array([3.0, 0.0, -4.0, 0.0, 0.0, 0.0])  # same covariance: only ||mu_a - mu_b||^2 = 25 remains
    assert frechet_distance(features, features + shift) == pytest.approx(25.0, rel=1e-9)


def test_frechet_distance_of_a_doubled_spread_is_the_trace():
    features = _features()
    centred = features - features.mean(0)
    # S_b = 4 S_a, so Tr(S_a + 4 S_a - 2 * 2 S_a) = Tr(S_a)
    expected = np.trace(np.cov(centred, rowvar=False))
    assert frechet_distance(centred, 2 * centred) == pytest.approx(expected, rel=1e-8)


def test_confident_share_counts_top_probabilities_at_the_threshold():
    probabilities = torch.tensor([[0.95, 0.05], [0.5, 0.5], [0.1, 0.9], [0.2, 0.8]])
    assert confident_share(probabilities, 0.9) == pytest.approx(0.5)  # 0.95 and exactly 0.9
    assert confident_share(probabilities, 0.99) == 0.0


def test_folds_partition_the_rows_and_repeat_with_their_seed():
    folds = fold_indices(103, 5, seed=0)
    held_out = np.concatenate([held for _, held in folds])
    assert sorted(held_out) == list(range(103))  # every row held out exactly once
    assert [len(held) for _, held in folds] == [21, 21, 21, 20, 20]
    for train, held in folds:
        assert set(train).isdisjoint(held) and len(train) + len(held) == 103
    again = fold_indices(103, 5, seed=0)
    assert all((a[1] == b[1]).all() for a, b in zip(folds, again, strict=True))
    assert not (fold_indices(103, 5, seed=1)[0][1] == folds[0][1]).all()


def test_r2_uniform_counts_every_pixel_once_where_variance_weighted_ignores_constant_ones():
    """Pixel 0 never varies (MNIST's corners) and is predicted wrongly: scikit-learn's uniform average scores it 0,
    the variance-weighted score gives it no weight."""
    originals = torch.zeros(4, 1, 1, 2)
    originals[:, 0, 0, 1] = torch.tensor([0.0, 0.5, 1.0, 0.5])
    reconstructed = originals.clone()
    reconstructed[:, 0, 0, 0] = 0.1
    metrics = reconstruction_metrics(originals, reconstructed)
    assert metrics["r2"] == pytest.approx(1.0)
    assert metrics["r2_uniform"] == pytest.approx(0.5)


def test_ssim_in_chunks_equals_ssim_at_once():
    from aelab.evaluation import reconstruction

    torch.manual_seed(0)
    x = torch.rand(1203, 1, 12, 12)
    y = (x + 0.1 * torch.randn_like(x)).clamp(0, 1)
    whole = ssim(x, y)
    assert len(x) > reconstruction.SSIM_CHUNK and whole.shape == (1203,)
    torch.testing.assert_close(whole[:7], ssim(x[:7], y[:7]))
    torch.testing.assert_close(whole[-5:], ssim(x[-5:], y[-5:]))


def test_denoising_scores_on_the_models_own_scale():
    """[-1, 1] doubles every difference: MSE x4, and PSNR with a peak of 1 loses 10 log10(4) dB."""
    from aelab.evaluation.denoising import NATIVE, scores

    torch.manual_seed(0)
    clean = torch.rand(3, 3, 8, 8)
    noisy, denoised = (clean + 0.2).clamp(0, 1), (clean + 0.05).clamp(0, 1)
    unit = scores("g", clean, noisy, denoised, (0.0, 1.0))
    assert set(unit) == {"g_mse_input", "g_psnr_input", "g_mse_output", "g_psnr_output"}
    both = scores("g", clean, noisy, denoised, (-1.0, 1.0))
    for which in ("input", "output"):
        assert both[f"g_mse_{which}{NATIVE}"] == pytest.approx(4 * both[f"g_mse_{which}"])
        assert both[f"g_psnr_{which}{NATIVE}"] == pytest.approx(both[f"g_psnr_{which}"] - 10 * math.log10(4))
    assert unit["g_psnr_output"] > unit["g_psnr_input"]


def test_manifold_smoothness_is_the_mean_squared_step_between_grid_neighbours():
    from aelab.evaluation.manifold import neighbour_difference

    flat = torch.full((9, 1, 2, 2), 0.5)
    assert neighbour_difference(flat, 3) == 0.0
    ramp = torch.arange(3.0).repeat(3).view(9, 1, 1, 1) / 2  # rows of a 3x3 grid: 0, 0.5, 1
    # 6 horizontal steps of 0.5 and 6 vertical steps of 0: mean of squares = 6 * 0.25 / 12
    assert neighbour_difference(ramp, 3) == pytest.approx(0.125)
    line = torch.tensor([0.0, 1.0, 1.0]).view(3, 1, 1, 1)
    assert neighbour_difference(line, 3) == pytest.approx(0.5)


def test_deterministic_ae_samplers_fit_per_dimension_and_full_covariance():
    """The per-dimension Gaussian (as published) keeps each coordinate's mean and spread and drops correlations;
    the full-covariance one keeps them."""
    from types import SimpleNamespace

    from aelab.evaluation.generation import FULL_COVARIANCE, PUBLISHED, code_distributions

    torch.manual_seed(0)
    base = torch.randn(20000, 1, dtype=torch.float64)
    codes = torch.cat([3 + base, -1 + 2 * base + 0.1 * torch.randn_like(base)], dim=1)  # strongly correlated
    ctx = SimpleNamespace(
        model=SimpleNamespace(latent_dim=2, variational=False),
        encode=lambda images: codes,
        split=lambda name: SimpleNamespace(images=None),
    )
    samplers = code_distributions(ctx)
    torch.manual_seed(1)
    diagonal, full = (samplers[key].sample((20000,)) for key in (PUBLISHED, FULL_COVARIANCE))
    for drawn in (diagonal, full):
        torch.testing.assert_close(drawn.mean(0), codes.mean(0), atol=0.05, rtol=0)
        torch.testing.assert_close(drawn.std(0), codes.std(0), atol=0.05, rtol=0)
    correlation = lambda x: float(torch.corrcoef(x.T)[0, 1])  # noqa: E731
    assert correlation(codes) > 0.99 and correlation(full) > 0.99 and abs(correlation(diagonal)) < 0.05
