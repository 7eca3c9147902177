"""CPU against GPU (docs/study.md 3), as seed 003 published it: one variant trained on each device, in float32.

Every seed of the variant trains once on each device the machine has, in
float32 with TF32 off whatever the site's precision setting (bf16 on one side
would confound speed with rounding). The comparison is a fact about the
machine, so the devices are the stage's argument rather than a param: a device
the machine lacks is skipped and named, and on a CPU-only machine the
comparison has the CPU alone. Per device it writes the per-epoch history of
each seed (seconds and every loss term, train and held-out: the per-epoch table
and curves of the report), the final numbers (mean and std over seeds), and,
of the first seed, the test reconstructions, samples of the prior (a VAE; the
same codes on every device) and the test codes, side by side.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from aelab import paths
from aelab.aggregation import aggregate
from aelab.config.base import ParamsError
from aelab.io import atomic_directory, write_json
from aelab.plotting import figures as plots
from aelab.site import device_name, precision_record, use_ieee_float32
from aelab.training.stage import TrainingData, fingerprint, precision_name, train_seed

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from aelab.config.params import Params
    from aelab.data.loading import Split
    from aelab.models.base import Autoencoder

log = logging.getLogger(__name__)
FLOAT32 = False
"""The comparison never trains under bf16 autocast."""


def available(device: str) -> bool:
    return device == "cpu" or (device == "cuda" and torch.cuda.is_available())


def compare_devices(params: Params, variant_id: str, devices: list[str]) -> dict:
    """Train every seed of ``variant_id`` on each available device of ``devices``; write metrics, histories and
    figures."""
    if variant_id not in params.evaluation.devices.variants:
        raise ParamsError(f"evaluation.devices.variants in params.yaml does not list {variant_id!r}")
    variant, settings = params.variant(variant_id), params.training_for(variant_id)
    seeds = params.seeds_for(variant_id)
    use_ieee_float32()
    histories: dict[str, dict[int, pd.DataFrame]] = {}
    shown: dict[str, Shown] = {}
    for name in filter(available, devices):
        device = torch.device(name)
        data = TrainingData.of_variant(variant, device)
        train, test = data.split("train"), data.split("test")
        histories[name] = {}
        for seed in seeds:
            model, histories[name][seed] = train_seed(
                variant.model,
                train,
                test,
                settings,
                seed,
                paths.devices_state(variant_id, name, seed),
                fingerprint(
                    variant.model.model_dump(), settings.model_dump(), seed, data.digest, name, precision_name(FLOAT32)
                ),
                label=f"{variant_id} seed {seed} on {name}",
                bf16=FLOAT32,
            )
            if seed == seeds[0]:
                shown[name] = first_seed_outputs(model, test, params, seed)

    skipped = [name for name in devices if name not in histories]
    if skipped:
        log.info("devices not on this machine, not compared: %s", ", ".join(skipped))
    with atomic_directory(paths.devices_history_dir(variant_id)) as staging:
        for name, runs in histories.items():
            for seed, history in runs.items():
                history.to_csv(staging / paths.devices_history(variant_id, name, seed).name, index=False)
    with atomic_directory(paths.devices_figures(variant_id)) as staging:
        draw(histories, shown, staging)
    metrics: dict[str, object] = {"devices_compared": len(histories), "seeds": len(seeds), "epochs": settings.epochs}
    for name, runs in histories.items():
        row: dict[str, object] = {**aggregate({seed: final_numbers(history) for seed, history in runs.items()})}
        row |= {"device": device_name(torch.device(name))} | precision_record(torch.device(name), FLOAT32)
        metrics |= {f"{name}_{key}": value for key, value in row.items()}
    write_json(paths.devices_metrics(variant_id), metrics)
    for name in histories:
        for seed in seeds:
            paths.devices_state(variant_id, name, seed).unlink(missing_ok=True)
    return metrics


def final_numbers(history: pd.DataFrame) -> dict[str, float]:
    """Seconds per epoch (the steady state after the first epoch's warm-up) and the last epoch's loss terms."""
    seconds = history["seconds"].iloc[1:] if len(history) > 1 else history["seconds"]
    last = history.iloc[-1]
    terms = [column for column in history if column.startswith(("train_", "test_"))]
    return {"seconds_per_epoch": float(seconds.mean())} | {f"final_{term}": float(last[term]) for term in terms}


@dataclass(frozen=True)
class Shown:
    """What the figures show of one device's model (its first seed), on the CPU."""

    originals: torch.Tensor
    reconstructions: torch.Tensor
    codes: np.ndarray
    labels: np.ndarray
    samples: torch.Tensor | None
    """Decoded prior samples (a VAE; the same codes on every device), None for a deterministic model."""


@torch.no_grad()
def first_seed_outputs(model: Autoencoder, test: Split, params: Params, seed: int) -> Shown:
    model.eval()
    evaluation = params.evaluation
    originals = test.images[: evaluation.reconstruction.shown]
    samples = None
    if model.variational:
        codes = torch.randn(
            evaluation.generation.samples, model.latent_dim, generator=torch.Generator().manual_seed(seed)
        )
        samples = model.generate(codes.to(test.images.device)).cpu()
    return Shown(
        originals=originals.cpu(),
        reconstructions=model.reconstruct(originals).cpu(),
        codes=encode(model, test.images[: evaluation.latent.points], evaluation.batch_size),
        labels=test.labels[: evaluation.latent.points].cpu().numpy(),
        samples=samples,
    )


def encode(model: Autoencoder, images: torch.Tensor, batch_size: int) -> np.ndarray:
    return torch.cat([model.encode(batch) for batch in images.split(batch_size)]).double().cpu().numpy()


def draw(histories: dict[str, dict[int, pd.DataFrame]], shown: dict[str, Shown], folder: Path) -> None:
    """Loss curves per device; the first seed's reconstructions, prior samples and codes side by side."""
    plots.save(
        plots.train_and_held_out_curves({name: list(runs.values()) for name, runs in histories.items()}),
        folder / "loss_curves.png",
    )
    if not shown:
        return
    first = next(iter(shown.values()))
    rows = {"original": first.originals} | {name: outputs.reconstructions for name, outputs in shown.items()}
    plots.save(plots.image_rows(rows), folder / "reconstructions.png")
    samples = {name: outputs.samples for name, outputs in shown.items() if outputs.samples is not None}
    if samples:
        plots.save(plots.image_panels(samples, 8), folder / "samples.png")
    plots.save(
        plots.latent_side_by_side({name: (outputs.codes, outputs.labels) for name, outputs in shown.items()}),
        folder / "latent.png",
    )
