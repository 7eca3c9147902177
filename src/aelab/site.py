"""Site settings: facts about the machine, not about the study.

They come from the environment (or CLI options) and never from params.yaml,
because they must not change results: the same study run against another data
mirror or on a GPU is the same study.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import TYPE_CHECKING

from aelab.errors import UserError

if TYPE_CHECKING:
    import torch

MIRROR_VARIABLE = "AELAB_DATA_MIRROR"
DEVICE_VARIABLE = "AELAB_DEVICE"
DEVICE_CHOICES = ("auto", "cpu", "cuda")
PRECISION_VARIABLE = "AELAB_PRECISION"
PRECISION_CHOICES = ("auto", "fp32", "bf16")


def data_mirror(option: str | None = None) -> Path | None:
    """A local directory laid out like the official downloads, if the site has one."""
    value = option or os.environ.get(MIRROR_VARIABLE)
    return Path(value) if value else None


def resolve_device(option: str | None = None) -> torch.device:
    """``auto`` picks CUDA when present; asking for CUDA without one is an error.

    torch is imported here, not at module level: importing it costs seconds, and
    the stages that only fetch data or write the report never need it.
    """
    import torch

    choice = option or os.environ.get(DEVICE_VARIABLE, "auto")
    if choice not in DEVICE_CHOICES:
        raise UserError(
            f"device {choice!r} (from --device or ${DEVICE_VARIABLE}) is not one of {DEVICE_CHOICES}"
        )
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise UserError(f"device 'cuda' requested (--device or ${DEVICE_VARIABLE}) but no GPU is visible")
    return torch.device(choice)


def mixed_precision(device: torch.device) -> bool:
    """Whether to train under bf16 autocast: on a GPU (``auto``), never on CPU.

    ``$AELAB_PRECISION=fp32`` turns it off, ``bf16`` forces it on any device.
    A site setting like the device: it changes speed and rounding, not the study.
    """
    choice = os.environ.get(PRECISION_VARIABLE, "auto")
    if choice not in PRECISION_CHOICES:
        raise UserError(f"${PRECISION_VARIABLE}={choice!r} is not one of {PRECISION_CHOICES}")
    return choice == "bf16" or (choice == "auto" and device.type == "cuda")


def device_name(device: torch.device) -> str:
    """Human-readable hardware name, for the cost columns of the report."""
    import torch

    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return _cpu_model() or platform.processor() or "cpu"


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None
