"""Training throughput: every family on this device, side by side with its references, and the study's wall time.

Three parts, in one invocation:

1. The conv VAE baseline (docs/study.md 2.1) three ways, in interleaved rounds:
   aelab's engine; the plain eager PyTorch port (nn.Conv2d(padding=1),
   nn.ConvTranspose2d(padding=1, output_padding=1), a DataLoader over a
   TensorDataset); and Keras (``keras_conv_vae.py``, run by the Python of a
   separate environment with tensorflow-cpu, given by --keras-python).
2. The MLP VAE 784-400-20 against the pytorch/examples VAE training loop.
3. One representative of each family (and conv architecture) of params.yaml,
   timed with the engine's own epoch function; every variant of the study is
   matched to its representative to estimate the full study's training time.

Images are synthetic (uniform in [0, 1]): throughput does not depend on content.
Each number is the median of --rounds steady-state epochs (a warm-up epoch first).

    python benchmarks/train_throughput.py [--images 12800] [--rounds 3] [--threads 2]
        [--keras-python .venv-keras/bin/python] [--device auto]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from workload import train_images  # benchmarks/workload.py, beside this script

from aelab import site
from aelab.config.loading import load_params
from aelab.config.training import TrainingConfig
from aelab.data.loading import Split
from aelab.models.registry import build_model
from aelab.training.engine import adam, train_epoch

HERE = Path(__file__).resolve().parent


def representative_key(model) -> tuple:
    """Variants with the same key cost the same per image (within noise)."""
    dump = model.model_dump()
    keep = ("family", "architecture", "hidden", "channels", "downsample", "bottleneck", "skip_connections")
    return tuple(str(dump.get(name)) for name in keep)


# --- the references ---------------------------------------------------------------------------


class PlainConvVAE(nn.Module):
    """The conv VAE written the obvious way in PyTorch (symmetric padding: not Keras-exact, same cost)."""

    def __init__(self, latent_dim: int = 2):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(7 * 7 * 64, 16),
            nn.ReLU(),
        )
        self.mean, self.logvar = nn.Linear(16, latent_dim), nn.Linear(16, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 7 * 7 * 64),
            nn.ReLU(),
            nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 64, 3, stride=2, padding=1, output_padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        h = self.encoder(x)
        mu, logvar = self.mean(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decoder(z), mu, logvar


class ExamplesVAE(nn.Module):
    """pytorch/examples vae/main.py, verbatim in substance."""

    def __init__(self):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 400), nn.Linear(400, 20), nn.Linear(400, 20)
        self.fc3, self.fc4 = nn.Linear(20, 400), nn.Linear(400, 784)

    def forward(self, x):
        h1 = F.relu(self.fc1(x.view(-1, 784)))
        mu, logvar = self.fc21(h1), self.fc22(h1)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def reference_epoch(model: nn.Module, images: torch.Tensor, device: torch.device) -> Callable[[], None]:
    """One epoch of the textbook loop: DataLoader batches moved to the device, BCE + KL, Adam."""
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(images), batch_size=128, shuffle=True)

    def epoch() -> None:
        model.train()
        for (batch,) in loader:
            batch = batch.to(device)
            optimizer.zero_grad()
            recon, mu, logvar = model(batch)
            bce = F.binary_cross_entropy(recon.view(len(batch), -1), batch.view(len(batch), -1), reduction="sum")
            kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            (bce + kld).backward()
            optimizer.step()

    return epoch


def aelab_epoch(model_config, shape, images: int, device: torch.device) -> Callable[[], None]:
    torch.manual_seed(0)
    model = build_model(model_config, shape)
    model = model.to(device, memory_format=model.memory_format)
    data = Split(torch.rand(images, *shape), torch.randint(0, 10, (images,))).to(
        device, memory_format=model.memory_format
    )
    settings = TrainingConfig(epochs=1, batch_size=128, learning_rate=1e-3, adam_eps=1e-7)
    optimizer = adam(model, settings)
    order = torch.Generator().manual_seed(0)
    return lambda: train_epoch(model, data, optimizer, settings, order, site.bf16_autocast())


def seconds(epoch: Callable[[], None], device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    started = time.perf_counter()
    epoch()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started


def keras_seconds(python: str, images: int, threads: int) -> tuple[float, str]:
    output = subprocess.run(
        [python, str(HERE / "keras_conv_vae.py"), "--images", str(images), "--epochs", "2", "--threads", str(threads)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(output.strip().splitlines()[-1])
    return result["seconds_per_epoch"], result["framework"]


def warmed(epoch: Callable[[], None], device: torch.device) -> Callable[[], float]:
    """``epoch`` run once (allocator, oneDNN/cuDNN algorithm choice), then a timer of it."""
    epoch()
    return lambda: seconds(epoch, device)


def interleaved(contenders: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Median seconds per epoch of each contender, measured round-robin so drift hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, measure in contenders.items():
            times[name].append(measure())
    return {name: statistics.median(values) for name, values in times.items()}


def print_comparison(title: str, medians: dict[str, float], images: int, baseline: str) -> None:
    print(f"\n{title} ({images} images per epoch, median of rounds)")
    print(f"  {'implementation':<34} {'images/s':>10} {'s/epoch':>9} {'aelab speed / its speed':>24}")
    for name, value in medians.items():
        print(f"  {name:<34} {images / value:>10.0f} {value:>9.2f} {value / medians[baseline]:>23.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=12_800)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--device", choices=site.DEVICE_CHOICES, default=None)
    parser.add_argument("--keras-python", help="Python of an environment with tensorflow-cpu (skipped if absent)")
    parser.add_argument(
        "--study-images", type=int, default=2_560, help="images per epoch when timing the representatives"
    )
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--skip-study", action="store_true", help="only the two comparisons")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    site.keep_freed_memory()  # as `python -m aelab` does; the references run in this process too
    device = site.resolve_device(args.device)
    params = load_params(args.params)
    print(f"device: {site.device_name(device)}; torch {torch.__version__}; {args.threads} CPU threads")

    images = torch.rand(args.images, 1, 28, 28)
    contenders = {
        "aelab conv_vae (engine)": warmed(
            aelab_epoch(params.variant("vae-baseline").model, (1, 28, 28), args.images, device), device
        ),
        "plain PyTorch port (DataLoader)": warmed(reference_epoch(PlainConvVAE().to(device), images, device), device),
    }
    if args.keras_python and Path(args.keras_python).exists() and device.type == "cpu":
        framework = []

        def keras() -> float:
            value, name = keras_seconds(args.keras_python, args.images, args.threads)
            framework.append(name)
            return value

        contenders["keras"] = keras
    medians = interleaved(contenders, args.rounds)
    print_comparison("conv VAE baseline (docs/study.md 2.1)", medians, args.images, "aelab conv_vae (engine)")

    mlp = interleaved(
        {
            "aelab mlp_vae 784-400-20 (engine)": warmed(
                aelab_epoch(params.variant("mlp-vae").model, (1, 28, 28), args.images, device), device
            ),
            "pytorch/examples VAE loop": warmed(reference_epoch(ExamplesVAE().to(device), images, device), device),
        },
        args.rounds,
    )
    print_comparison("MLP VAE 784-400-20", mlp, args.images, "aelab mlp_vae 784-400-20 (engine)")
    if not args.skip_study:
        study_estimate(params, args, device)


def study_estimate(params, args, device) -> None:
    """Time one variant per cost class, then sum epochs x images / throughput over the whole study.

    On a GPU the same representatives are timed on the CPU too: the CPU-vs-GPU
    comparison of docs/study.md 3 (cost), side by side in one run.
    """
    measured = {device.type: representatives(params, args, device)}
    if device.type == "cuda":
        measured["cpu"] = representatives(params, args, torch.device("cpu"))
    print("\nper family (one representative per cost class), images/s per device")
    print(
        f"  {'representative':<22} {'family':<10}"
        + "".join(f" {name:>9}" for name in measured)
        + f" {'s/epoch on ' + device.type + ' (full data)':>28}"
        + (f" {'GPU speed-up':>13}" if len(measured) > 1 else "")
    )
    for key, (variant_id, rate) in measured[device.type].items():
        rates = "".join(f" {timings[key][1]:>9.0f}" for timings in measured.values())
        speed_up = f" {rate / measured['cpu'][key][1]:>12.1f}x" if len(measured) > 1 else ""
        images = train_images(params.datasets, params.variant(variant_id).dataset)
        print(f"  {variant_id:<22} {key[1]:<10}{rates} {images / rate:>28.2f}{speed_up}")
    for name, rates in measured.items():
        total = study_seconds(params, rates)
        print(
            f"\nestimated training time of the whole study on {name} ({len(params.variants)} variants, "
            f"{sum(len(params.seeds_for(v)) for v in params.variants)} seed runs, one job at a time): "
            f"{total / 60:.1f} min ({total / 3600:.2f} h)"
        )


def study_seconds(params, rates: dict[tuple, tuple[str, float]]) -> float:
    """Training time of every variant and seed at its cost class's measured rate, one job at a time."""
    total = 0.0
    for variant_id, variant in params.variants.items():
        rate = rates[(params.datasets.image_shape(variant.dataset), *representative_key(variant.model))][1]
        epochs, seeds = params.training_for(variant_id).epochs, len(params.seeds_for(variant_id))
        total += epochs * train_images(params.datasets, variant.dataset) / rate * seeds
    return total


def representatives(params, args, device) -> dict[tuple, tuple[str, float]]:
    """(first variant, images/s) of each cost class (image shape, family, architecture) on ``device``."""
    rates: dict[tuple, tuple[str, float]] = {}
    for variant_id, variant in params.variants.items():
        key = (params.datasets.image_shape(variant.dataset), *representative_key(variant.model))
        if key not in rates:
            epoch = warmed(aelab_epoch(variant.model, key[0], args.study_images, device), device)
            rates[key] = (variant_id, args.study_images / statistics.median(epoch() for _ in range(args.rounds)))
    return rates


if __name__ == "__main__":
    sys.exit(main())
