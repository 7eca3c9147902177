"""Metric keys as a reader reads them: a heading in words with its unit, and which direction is better.

A table of raw keys (``gaussian_0p4_psnr_output``) makes the reader look up the
code; the heading says "PSNR out, Gaussian σ 0.4 (dB) ↑". The key stays in the
heading's tooltip, so a value is easy to find in the metrics JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

HIGHER, LOWER = "higher", "lower"
ARROWS = {HIGHER: "↑", LOWER: "↓"}


@dataclass(frozen=True)
class Column:
    label: str
    better: str | None = None
    """Which direction is better, where one is: the best value of the column gets marked."""

    @property
    def heading(self) -> str:
        return f"{self.label} {ARROWS[self.better]}" if self.better else self.label


def noise_label(name: str) -> str:
    """``gaussian_0p1`` -> "Gaussian σ 0.1" (the metric-key names of aelab.config.noise.noise_name)."""
    kind, _, level = name.rpartition("_")
    level = level.replace("p", ".")
    return {
        "gaussian": f"Gaussian σ {level}",
        "speckle": f"speckle σ {level}",
        "salt_and_pepper": f"salt & pepper {level}",
    }.get(kind, name)


HOLE = re.compile(r"(fixed|random)(\d+)")


def hole_label(name: str) -> str:
    """``fixed10`` -> "fixed 10×10 hole", ``random15`` -> "random 15×15 holes" (the name itself if neither)."""
    match = HOLE.fullmatch(name)
    if match is None:
        return name
    kind, size = match.groups()
    return f"{kind} {size}×{size} hole" + ("s" if kind == "random" else "")


SAMPLER = {"": "", "_full_cov": ", full-cov. Gaussian"}
SCALE = {"": "", "_native": ", [-1, 1] scale"}

EXACT: dict[str, Column] = {
    "bce": Column("BCE (nats/image)", LOWER),
    "mse": Column("MSE (per pixel)", LOWER),
    "mae": Column("MAE (per pixel)", LOWER),
    "r2": Column("R² (variance-weighted)", HIGHER),
    "r2_uniform": Column("R² (uniform over pixels)", HIGHER),
    "psnr": Column("PSNR (dB)", HIGHER),
    "ssim": Column("SSIM", HIGHER),
    "final_train_loss": Column("final train loss", LOWER),
    "final_test_loss": Column("final test loss", LOWER),
    "final_train_recon": Column("final train reconstruction loss", LOWER),
    "final_test_recon": Column("final test reconstruction loss", LOWER),
    "final_train_kl": Column("final train KL (nats)"),
    "final_test_kl": Column("final test KL (nats)"),
    "final_train_penalty": Column("final train weight penalty"),
    "final_test_penalty": Column("final test weight penalty"),
    "seconds_per_epoch": Column("seconds per epoch", LOWER),
    "seconds": Column("seconds"),
    "train_loss": Column("training loss"),
    "train_recon": Column("training reconstruction loss"),
    "test_loss": Column("held-out (test) loss"),
    "precision": Column("precision"),
    "tf32": Column("TF32"),
    "cpu_threads": Column("CPU threads"),
    "device": Column("device"),
    "training noise": Column("training noise"),
    "latent_dim": Column("latent size"),
    "silhouette": Column("silhouette by class", HIGHER),
    "silhouette_colour": Column("silhouette by stroke colour"),
    "silhouette_train": Column("silhouette by class, training codes"),
    "silhouette_colour_train": Column("silhouette by stroke colour, training codes"),
    # no better direction: a decoder that ignores its code (a collapsed VAE) draws the smoothest map, 0
    "neighbour_mse": Column("MSE between neighbouring grid images (smoothness; 0 for a decoder that ignores its code)"),
    "noise_sample_mean_intensity": Column("mean intensity, N(5, 1) codes"),
    "reference_frechet_distance": Column("Fréchet distance, real train vs test (floor)"),
    "reference_confident_share": Column("confident share of real test images"),
    "label_agreement": Column("share classified as the label asked for", HIGHER),
    "roc_auc": Column("ROC AUC", HIGHER),
    "average_precision": Column("average precision", HIGHER),
    "mean_error_normal": Column("mean MSE, in-distribution"),
    "mean_error_anomalous": Column("mean MSE, anomalies"),
    "kl_total": Column("KL (nats)"),
    "active_units": Column("active units"),
    "loss": Column("held-out loss", LOWER),
    "recon": Column("held-out reconstruction loss", LOWER),
    "kl": Column("held-out KL (nats)"),
    "penalty": Column("held-out weight penalty"),
    "folds": Column("folds"),
    "epochs": Column("epochs"),
    "seed": Column("seed"),
    "devices_compared": Column("devices"),
}

PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Column]]] = [
    (
        re.compile(r"sample_mean_intensity(_full_cov)?"),
        lambda m: Column(f"mean intensity of samples{SAMPLER[m[1] or '']}"),
    ),
    (re.compile(r"frechet_distance(_full_cov)?"), lambda m: Column(f"Fréchet distance{SAMPLER[m[1] or '']}", LOWER)),
    (re.compile(r"confident_share(_full_cov)?"), lambda m: Column(f"confident share{SAMPLER[m[1] or '']}", HIGHER)),
    (re.compile(r"label_agreement(_full_cov)"), lambda m: Column(f"label agreement{SAMPLER[m[1]]}", HIGHER)),
    (
        re.compile(r"((?:fixed|random)\d+)_mse_(hole|image)"),
        lambda m: Column(f"MSE {'in the hole' if m[2] == 'hole' else 'over the image'}, {hole_label(m[1])}", LOWER),
    ),
    (
        re.compile(r"(.+)_(psnr|mse)_(input|output)(_native)?"),
        lambda m: Column(
            f"{m[2].upper()} {'in' if m[3] == 'input' else 'out'}, {noise_label(m[1])}{SCALE[m[4] or '']}"
            + (" (dB)" if m[2] == "psnr" else ""),
            None if m[3] == "input" else (HIGHER if m[2] == "psnr" else LOWER),
        ),
    ),
    (re.compile(r"kl_dim(\d+)"), lambda m: Column(f"KL of z[{m[1]}] (nats)")),
    (re.compile(r"fold(\d+)_loss"), lambda m: Column(f"held-out loss, fold {int(m[1]) + 1}")),
    (re.compile(r"(.+)_seed(\d+)"), lambda m: Column(f"{describe(m[1]).label}, seed {m[2]}")),
]


def describe(key: str) -> Column:
    """The heading of a metric key (the key itself where no rule knows it)."""
    if key in EXACT:
        return EXACT[key]
    for pattern, column in PATTERNS:
        match = pattern.fullmatch(key)
        if match:
            return column(match)
    return Column(key)
