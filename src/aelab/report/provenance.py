"""Where a report's numbers come from: code version, params, libraries, devices, time per stage."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from aelab import paths
from aelab.io import read_json

LIBRARIES = ("torch", "torchvision", "numpy", "scikit-learn", "pandas", "snakemake", "dvc")


def provenance(params_file: Path, variants: list[str]) -> dict[str, str]:
    timings = stage_timings()
    devices = sorted(set(timings["device"].dropna()))
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "git commit": _git_commit(),
        "params sha256": hashlib.sha256(params_file.read_bytes()).hexdigest()[:16],
        "libraries": ", ".join(f"{name} {version(name)}" for name in LIBRARIES),
        "devices": ", ".join(devices) or "unknown (no timing records)",
        "training precision": training_precision(variants),
        "hosts": ", ".join(sorted(set(timings["host"]))) or "unknown",
    }


def training_precision(variants: list[str]) -> str:
    """The precisions the variants' trainings used (their train.json), TF32's state where a GPU trained."""
    records = [read_json(paths.train_metrics(variant)) for variant in variants if paths.train_metrics(variant).exists()]
    return ", ".join(sorted({_precision_text(record) for record in records})) or "unknown (nothing trained)"


def _precision_text(record: dict) -> str:
    tf32, threads = record.get("tf32"), record.get("cpu_threads")  # tf32 where a GPU trained, threads on a CPU
    arithmetic = "" if tf32 is None else " (TF32 on)" if tf32 else " (TF32 off)"
    cores = "" if threads is None else f", {threads} CPU thread(s)"
    return str(record.get("precision", "unknown")) + arithmetic + cores


def stage_timings() -> pd.DataFrame:
    """Every stage run the CLI recorded (logs/timing/<stage>/<subject>.json), whichever engine ran it."""
    records = [read_json(path) for path in sorted(paths.timing_dir().glob("*/*.json"))]
    return pd.DataFrame.from_records(
        records, columns=["stage", "subject", "seconds", "peak_rss_mb", "device", "host", "finished"]
    )


def wall_time_per_stage(timings: pd.DataFrame) -> pd.DataFrame:
    """Runs, total and longest wall time (seconds) and the largest peak memory (MB) of each kind of stage run:
    each stage, and each evaluation task on its own (their costs differ by orders of magnitude)."""
    if timings.empty:
        return timings
    timings = timings.assign(
        stage=[
            f"evaluate {subject.split('-')[0]}" if stage == "evaluate" else stage
            for stage, subject in zip(timings["stage"], timings["subject"], strict=True)
        ]
    )
    grouped = timings.groupby("stage", sort=True)
    longest = timings.loc[grouped["seconds"].idxmax()].set_index("stage")
    return pd.DataFrame(
        {
            "runs": grouped.size(),
            "total wall time (s)": grouped["seconds"].sum(),
            "longest run (s)": grouped["seconds"].max(),
            "longest run": longest["subject"],
            "largest peak memory (MB)": grouped["peak_rss_mb"].max(),
        }
    ).rename_axis("stage")


def _git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True)
        return result.stdout.strip() + (" (uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
