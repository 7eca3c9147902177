"""The report's CPU-against-GPU sections (docs/study.md 3), laid out as seed 003 published the comparison.

Per compared variant: one row per device of final numbers (mean ± std over
seeds), a per-epoch table per device (seconds, training loss and its
reconstruction term, held-out loss), and the figures of the ``devices`` stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from aelab import paths
from aelab.config.params import Params
from aelab.io import read_json
from aelab.report.elements import Figure, FigureFolder, Table
from aelab.report.tables import SPREAD, to_html

DEVICES = ("cpu", "cuda")
PER_EPOCH = ("seconds", "train_loss", "train_recon", "test_loss")
"""The per-epoch table's columns (seed 003's: seconds, loss, reconstruction loss, validation loss)."""
FIGURES = {
    "loss_curves": "Training and held-out loss per epoch on each device (float32 on both; mean over seeds, band: "
    "± one std): the devices' curves should agree up to rounding.",
    "reconstructions": "Test images (top) and each device's reconstructions of them (first seed).",
    "samples": "Each device's decoder on the same prior codes N(0, I) (first seed).",
    "latent": "Test codes of each device's model, side by side (first seed).",
}


@dataclass
class DeviceSection:
    variant_id: str
    table_html: str
    gpu_compared: bool
    per_epoch: list[Table]
    figures: list[Figure]


def device_sections(params: Params, folder: FigureFolder) -> list[DeviceSection]:
    """One section per listed variant whose comparison ran."""
    sections = []
    for variant_id in params.evaluation.devices.variants:
        if not paths.devices_metrics(variant_id).exists():
            continue
        finals = final_table(read_json(paths.devices_metrics(variant_id)))
        per_epoch = [
            Table(f"{device}-per-epoch", f"{device}: per epoch, mean ± std over seeds", to_html(frame))
            for device, frame in per_epoch_tables(variant_id, params.seeds_for(variant_id), finals.index).items()
        ]
        figures = []
        for name, caption in FIGURES.items():
            source = paths.devices_figures(variant_id) / f"{name}.png"
            if source.exists():
                src = folder.add(source, Path("devices") / variant_id / source.name)
                figures.append(Figure(src, caption, f"devices-{variant_id}-{name}"))
        sections.append(DeviceSection(variant_id, to_html(finals), "cuda" in finals.index, per_epoch, figures))
    return sections


def final_table(metrics: dict) -> pd.DataFrame:
    """One row per compared device: its name, precision, and the means (and stds) of its final numbers."""
    rows = {
        device: {
            key.removeprefix(f"{device}_"): value for key, value in metrics.items() if key.startswith(f"{device}_")
        }
        for device in DEVICES
    }
    return pd.DataFrame.from_dict({device: row for device, row in rows.items() if row}, orient="index").rename_axis(
        "run"
    )


def per_epoch_tables(variant_id: str, seeds: list[int], devices) -> dict[str, pd.DataFrame]:
    """Per device, the mean (and std over seeds) of each per-epoch column."""
    tables = {}
    for device in devices:
        files = [paths.devices_history(variant_id, device, seed) for seed in seeds]
        runs = pd.concat([pd.read_csv(file)[["epoch", *PER_EPOCH]] for file in files if file.exists()])
        grouped = runs.groupby("epoch")
        frame = grouped.mean()
        if len(files) > 1:
            frame = frame.join(grouped.std().add_suffix(SPREAD))
        tables[device] = frame
    return tables
