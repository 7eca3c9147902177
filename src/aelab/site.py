"""Site settings: facts about the machine, not about the study.

They come from the environment (or CLI options) and never from params.yaml,
because they must not change results: the same study run against another data
mirror or on a GPU is the same study.
"""

from __future__ import annotations

import ctypes
import os
import platform
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aelab.errors import UserError

if TYPE_CHECKING:
    import torch

MIRROR_VARIABLE = "AELAB_DATA_MIRROR"
DEVICE_VARIABLE = "AELAB_DEVICE"
DEVICE_CHOICES = ("auto", "cpu", "cuda")
THREADS_VARIABLE = "AELAB_THREADS"
DEFAULT_THREADS = 1
PRECISION_VARIABLE = "AELAB_PRECISION"
PRECISIONS = {"fp32": "float32", "bf16": "bfloat16 autocast"}
"""``$AELAB_PRECISION`` -> what the records call it."""
DEFAULT_PRECISION = "fp32"


def check_settings() -> None:
    """Every site setting of the environment, checked at once: a workflow engine calls this before any job runs
    (a job's engine deletes its outputs before the job could refuse a bad setting itself).

    Only the values: whether a GPU is visible is the job's to find out, on the
    machine that runs it (a cluster's login node has none).
    """
    data_mirror()
    device_choice()
    threads()
    precision()


def data_mirror(option: str | None = None) -> Path | None:
    """A local directory laid out like the official downloads, if the site has one."""
    value = option or os.environ.get(MIRROR_VARIABLE)
    if value and not Path(value).is_dir():
        where = "--mirror" if option else f"${MIRROR_VARIABLE}"
        raise UserError(f"the data mirror {value!r} (from {where}) is not a folder")
    return Path(value) if value else None


def device_choice(option: str | None = None) -> str:
    """The device asked for (``--device``, else ``$AELAB_DEVICE``, else ``auto``), checked."""
    choice = option or os.environ.get(DEVICE_VARIABLE, "auto")
    if choice not in DEVICE_CHOICES:
        raise UserError(
            f"device {choice!r} (from --device or ${DEVICE_VARIABLE}) is not one of {', '.join(DEVICE_CHOICES)}"
        )
    return choice


def resolve_device(option: str | None = None) -> torch.device:
    """``auto`` picks CUDA when present; asking for CUDA without one is an error.

    torch is imported here, not at module level: importing it costs seconds, and
    the stages that only fetch data or write the report never need it.
    """
    import torch

    choice = device_choice(option)
    if choice == "auto":
        choice = "cuda" if torch.cuda.is_available() else "cpu"
    if choice == "cuda" and not torch.cuda.is_available():
        raise UserError(f"device 'cuda' requested (--device or ${DEVICE_VARIABLE}) but no GPU is visible")
    return torch.device(choice)


def threads() -> int:
    """Torch threads of a stage run given no ``--threads`` (DVC's runs, a user's), and what Snakemake's torch
    rules ask for: ``$AELAB_THREADS``, else 1.

    Float sums are ordered by the thread count, so runs with different counts
    disagree in the low digits. A count fixed by the site, not the machine's
    core count (torch's default), keeps both engines' results equal on any
    machine.
    """
    value = os.environ.get(THREADS_VARIABLE, str(DEFAULT_THREADS))
    if not value.isdigit() or int(value) < 1:
        raise UserError(f"${THREADS_VARIABLE}={value!r} is not a positive whole number of threads")
    return int(value)


def precision() -> str:
    """The site's training precision: ``fp32`` unless ``$AELAB_PRECISION=bf16``.

    float32 is the study's precision on every device: the published numbers are
    Keras' float32. bf16 autocast is an opt-in faster mode (on a GPU, and on a
    CPU with AVX512-BF16) whose numbers do not replicate them: every record of
    a run says which precision it used.
    """
    choice = os.environ.get(PRECISION_VARIABLE, DEFAULT_PRECISION)
    if choice not in PRECISIONS:
        raise UserError(f"${PRECISION_VARIABLE}={choice!r} is not one of {', '.join(PRECISIONS)}")
    return choice


def bf16_autocast() -> bool:
    """Whether the site asks for bf16 autocast (:func:`precision`)."""
    return precision() == "bf16"


def _tf32_switches() -> tuple:
    """PyTorch's float32 precision settings of the GPU libraries: cuBLAS matmuls, cuDNN convolutions and RNNs."""
    import torch

    cudnn: Any = torch.backends.cudnn  # its conv and rnn settings exist at run time, not in torch's type stubs
    return torch.backends.cuda.matmul, cudnn.conv, cudnn.rnn


def use_ieee_float32() -> None:
    """Full float32 in GPU matmuls and convolutions: TF32 off.

    PyTorch lets cuDNN convolutions round their float32 inputs to TF32 (10-bit
    mantissa) by default, so a "float32" GPU run is not float32 unless told.
    No effect on a CPU, whose float32 is IEEE already.
    """
    for switch in _tf32_switches():
        switch.fp32_precision = "ieee"


def tf32_enabled() -> bool:
    """Whether any GPU library may round float32 to TF32 now."""
    return any(switch.fp32_precision == "tf32" for switch in _tf32_switches())


def precision_record(device: torch.device, bf16: bool) -> dict[str, object]:
    """What a run's records say of its arithmetic: the precision and, on a GPU, whether TF32 was on; on a CPU
    the torch threads, which order its float sums (a rerun with another count differs in the low digits)."""
    import torch

    record: dict[str, object] = {"precision": PRECISIONS["bf16" if bf16 else "fp32"]}
    if device.type == "cuda":
        record["tf32"] = tf32_enabled()
    else:
        record["cpu_threads"] = torch.get_num_threads()
    return record


GLIBC_MALLOC = {"trim_threshold": (-1, 1 << 30), "mmap_threshold": (-3, 32 << 20)}
"""mallopt parameter numbers and values: keep up to 1 GiB of freed heap; serve blocks up to 32 MiB (glibc's cap)
from it."""


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep and reuse freed tensor memory instead of giving it back to the OS.

    CPU tensors come from malloc. By default glibc hands big freed blocks back
    to the kernel (unmapping them, or trimming the heap) whenever its adaptive
    thresholds say so, and the next batch faults the same pages in again, each
    one zeroed by the kernel. In a training loop that reallocates the same
    tensors every batch this happens at random: on the 2-core VM of the
    benchmark a conv VAE epoch of 6,400 images had from 7 to 370,000 page
    faults, at up to 25% of its time. Fixed thresholds make every epoch run
    like the good ones. PyTorch's tuning guide reaches the same end by
    preloading tcmalloc or jemalloc. A no-op (False) where the C library is
    not glibc. Speed only: no number changes.
    """
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # the C library this process runs on
    return mallopt is not None and all(mallopt(number, value) == 1 for number, value in GLIBC_MALLOC.values())


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
