"""CPU against GPU (docs/study.md 3): one variant's first seed trained on each device, both in float32.

The comparison is a fact about the machine, so the devices are the stage's
argument rather than a param: a device the machine does not have is skipped
and named, and on a CPU-only machine the table has the CPU row alone. Both
runs train in float32 whatever the site's precision setting, since bf16 on
the GPU would confound speed with rounding.
"""

from __future__ import annotations

import logging

import pandas as pd
import torch

from aelab import paths
from aelab.config import Params, ParamsError
from aelab.io import atomic_directory, write_json
from aelab.plotting import figures as plots
from aelab.training.stage import TrainingData, cost_summary, fingerprint, train_seed

log = logging.getLogger(__name__)


def available(device: str) -> bool:
    return device == "cpu" or (device == "cuda" and torch.cuda.is_available())


def compare_devices(params: Params, variant_id: str, devices: list[str]) -> dict:
    """Train ``variant_id`` on each available device of ``devices``; write metrics, histories and figures."""
    if variant_id not in params.evaluation.devices.variants:
        raise ParamsError(f"evaluation.devices.variants in params.yaml does not list {variant_id!r}")
    variant, settings = params.variant(variant_id), params.training_for(variant_id)
    seed = params.seeds_for(variant_id)[0]
    runs, codes = {}, {}
    for name in filter(available, devices):
        device = torch.device(name)
        data = TrainingData.of_variant(variant, device)
        model, history = train_seed(
            variant.model,
            data.split("train"),
            data.split("test"),
            settings,
            seed,
            paths.devices_state(variant_id, name),
            fingerprint(variant.model.model_dump(), settings.model_dump(), seed, data.digest, name),
            label=f"{variant_id} on {name}",
            bf16=False,
        )
        runs[name] = (history, cost_summary({seed: history}, data.size("train"), device))
        codes[name] = _test_codes(model, data, params.evaluation.latent.points, params.evaluation.batch_size)

    skipped = [name for name in devices if name not in runs]
    if skipped:
        log.info("devices not on this machine, not compared: %s", ", ".join(skipped))
    with atomic_directory(paths.devices_history_dir(variant_id)) as staging:
        for name, (history, _) in runs.items():
            history.to_csv(staging / paths.devices_history(variant_id, name).name, index=False)
    with atomic_directory(paths.devices_figures(variant_id)) as staging:
        plots.save(
            plots.study_loss_curves({name: [history] for name, (history, _) in runs.items()}),
            staging / "loss_curves.png",
        )
        plots.save(plots.latent_side_by_side(codes), staging / "latent.png")
    metrics = {"devices_compared": len(runs), "seed": seed, "epochs": settings.epochs}
    for name, (history, cost) in runs.items():
        metrics |= {f"{name}_{key}": value for key, value in _device_row(history, cost).items()}
    write_json(paths.devices_metrics(variant_id), metrics)
    for name in runs:
        paths.devices_state(variant_id, name).unlink(missing_ok=True)
    return metrics


def _device_row(history: pd.DataFrame, cost: dict) -> dict:
    last = history.iloc[-1]
    row = {
        "device": cost["device"],
        "seconds_per_epoch": cost["seconds_per_epoch"],
        "final_train_loss": float(last["train_loss"]),
        "final_test_loss": float(last["test_loss"]),
    }
    if "train_recon" in history:
        row |= {"final_train_recon": float(last["train_recon"]), "final_test_recon": float(last["test_recon"])}
    return row


@torch.no_grad()
def _test_codes(model, data: TrainingData, points: int, batch_size: int) -> tuple:
    """(codes, labels) of the first ``points`` test images, on the CPU."""
    test = data.split("test")
    images, labels = test.images[:points], test.labels[:points]
    model.eval()
    codes = torch.cat([model.encode(batch) for batch in images.split(batch_size)])
    return codes.double().cpu().numpy(), labels.cpu().numpy()
