"""Evaluation tasks by name: each one maps a trained seed to flat metrics (and draws its figures).

Which variants a task evaluates is ``evaluation.<task>.variants`` in
params.yaml (``reconstruction``: every variant); whether a task can apply to a
variant is checked when params load (:data:`aelab.config.TASK_REQUIREMENTS`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from aelab.evaluation import (anomaly, denoising, diagnostics, generation, inpainting, latent, manifold, reconstruction,
                              sample_quality)
from aelab.evaluation.context import Context

TASKS: dict[str, Callable[[Context, Path | None], dict[str, float]]] = {
    "reconstruction": reconstruction.run,
    "latent": latent.run,
    "manifold": manifold.run,
    "generation": generation.run,
    "inpainting": inpainting.run,
    "denoising": denoising.run,
    "anomaly": anomaly.run,
    "diagnostics": diagnostics.run,
    "sample_quality": sample_quality.run,
}
