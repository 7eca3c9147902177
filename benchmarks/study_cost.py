"""The study's cost on this machine, measured against the machine's own peak.

Prints, in one run:

1. the machine's measured GEMM peak (``torch.mm`` of 2048 x 2048) per precision
   and thread count, in GFLOP/s;
2. per cost class of the study (image shape, family, architecture), its FLOPs
   per image for one training step (forward + backward, counted by
   ``torch.utils.flop_counter``), the engine's images/s, and the fraction of the
   peak that is;
3. the study's estimated wall time per stage kind: training per family,
   cross-validation, the device comparison, the classifiers (from the measured
   rates, one job at a time) and, given the timing records of a full-data run
   (``--timings rehearsal/logs/timing``: ``make rehearsal`` writes them), each
   evaluation task, the data stages and the report, at their real size;
   and the total next to the FLOP floor (every training FLOP at the GEMM peak
   of all the jobs' threads).

Jobs run as the workflow runs them: --jobs at once (Snakemake's --cores), each
with --threads torch threads (``$AELAB_THREADS``); a class's rate is one job's,
measured while --jobs - 1 neighbour processes train the same model, times
--jobs. Images are synthetic (uniform in [0, 1]): throughput does not depend on
content. Each rate is the median of --rounds epochs of --images images after a
warm-up.

    python benchmarks/study_cost.py [--jobs 2] [--threads 1] [--precision fp32] [--timings rehearsal/logs/timing]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode
from workload import CLASSIFIER, SETTINGS, build, train_images  # benchmarks/workload.py, beside this script

from aelab import site
from aelab.config.loading import load_params
from aelab.data.loading import Split
from aelab.training.engine import adam, train_epoch

WORKLOAD = Path(__file__).with_name("workload.py")


def gemm_peak(threads: int, dtype: torch.dtype, repeats: int = 5) -> tuple[float, int]:
    """(GFLOP/s, size) of the best of ``repeats`` ``torch.mm`` of two size x size matrices: the size doubles from
    512 to 2048 while one product takes under 50 ms (a CPU without native bf16 emulates it over 100 times slower)."""
    torch.set_num_threads(threads)
    size = 512
    while size < 2048 and _mm_seconds(size, dtype, 1) < 0.05:
        size *= 2
    return 2 * size**3 / _mm_seconds(size, dtype, repeats) / 1e9, size


def _mm_seconds(size: int, dtype: torch.dtype, repeats: int) -> float:
    """The best time of ``repeats`` products of two random size x size matrices."""
    a, b = torch.rand(size, size, dtype=dtype), torch.rand(size, size, dtype=dtype)
    return min(_timed(lambda: torch.mm(a, b)) for _ in range(repeats))


def _timed(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def cost_class(params, variant_id: str) -> tuple:
    """Variants of one class cost the same per image (within noise)."""
    variant = params.variant(variant_id)
    dump = variant.model.model_dump()
    keep = ("family", "architecture", "hidden", "channels", "downsample", "bottleneck", "skip_connections")
    return (params.datasets.image_shape(variant.dataset), *(str(dump.get(name)) for name in keep))


def flops_per_image(model, data: Split) -> float:
    """FLOPs of one training step (forward, backward) of a batch, per image."""
    batch = data.images[: SETTINGS.batch_size]
    labels = data.labels[: SETTINGS.batch_size] if model.conditional else None
    with FlopCounterMode(display=False) as counter:
        model.loss_terms(batch, batch, labels)["loss"].backward()
    model.zero_grad(set_to_none=True)
    return counter.get_total_flops() / len(batch)


def images_per_second(model, data: Split, bf16: bool, rounds: int) -> float:
    optimizer = adam(model, SETTINGS)
    order = torch.Generator().manual_seed(0)
    train_epoch(model, data, optimizer, SETTINGS, order, bf16)  # warm-up: allocator, oneDNN's kernel choice
    return len(data) / statistics.median(
        _timed(lambda: train_epoch(model, data, optimizer, SETTINGS, order, bf16)) for _ in range(rounds)
    )


def representatives(params) -> dict[tuple, str]:
    """Per cost class, the workload (a variant, or ``classifier:<dataset>``) measured for it."""
    chosen: dict[tuple, str] = {}
    for variant_id in params.variants:
        chosen.setdefault(cost_class(params, variant_id), variant_id)
    for dataset in params.evaluation.sample_quality.classifier.datasets:
        chosen.setdefault(("classifier", params.datasets.image_shape(dataset)), f"{CLASSIFIER}{dataset}")
    return chosen


@contextmanager
def neighbours(args, representative: str):
    """``args.jobs - 1`` processes training the same model with the same threads, for as long as the block runs."""
    command = [sys.executable, str(WORKLOAD), representative, "--threads", str(args.threads)]
    command += ["--params", args.params, "--precision", args.precision]
    started = [subprocess.Popen(command) for _ in range(args.jobs - 1)]
    try:
        yield
    finally:
        for process in started:
            process.kill()
            process.wait()


def measure_classes(params, args, bf16: bool) -> dict[tuple, dict]:
    """Per cost class: its representative, FLOPs per image, images/s of all the jobs together."""
    torch.set_num_threads(args.threads)
    measured: dict[tuple, dict] = {}
    for key, representative in representatives(params).items():
        model, data = build(params, representative, args.images)
        with neighbours(args, representative):
            rate = images_per_second(model, data, bf16, args.rounds)
        measured[key] = {"variant": representative, "flops": flops_per_image(model, data), "rate": rate * args.jobs}
    return measured


def training_work(params) -> list[tuple[str, str, tuple, float]]:
    """(stage kind, family, cost class, images trained) of every training the study runs."""
    work = []
    crossval, devices = params.evaluation.crossval, params.evaluation.devices
    for variant_id, variant in params.variants.items():
        key, images = cost_class(params, variant_id), train_images(params.datasets, variant.dataset)
        seeds, epochs = len(params.seeds_for(variant_id)), params.training_for(variant_id).epochs
        work.append(("train", variant.model.family, key, seeds * epochs * images))
        if variant_id in crossval.variants:
            folds = crossval.folds
            fold_epochs = params.crossval_training_for(variant_id).epochs
            work.append(
                ("crossvalidate", variant.model.family, key, folds * fold_epochs * images * (folds - 1) / folds)
            )
        if variant_id in devices.variants:  # the CPU run; a GPU's comes on top where there is one
            work.append(("devices", variant.model.family, key, seeds * epochs * images))
    for dataset in params.evaluation.sample_quality.classifier.datasets:
        shape = params.datasets.image_shape(dataset)
        epochs = params.evaluation.sample_quality.classifier.training.epochs
        work.append(
            ("train_classifier", "classifier", ("classifier", shape), epochs * train_images(params.datasets, dataset))
        )
    return work


def recorded_seconds(timings: Path) -> dict[str, float]:
    """Wall time per kind of stage run (each evaluation task its own kind) in a run's timing records."""
    totals: dict[str, float] = defaultdict(float)
    for path in timings.glob("*/*.json"):
        record = json.loads(path.read_text())
        stage = record["stage"]
        kind = f"evaluate {record['subject'].split('-')[0]}" if stage == "evaluate" else stage
        totals[kind] += record["seconds"]
    return dict(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--jobs", type=int, default=2, help="jobs at once (default: %(default)s)")
    parser.add_argument("--threads", type=int, default=site.DEFAULT_THREADS, help="threads per job (%(default)s)")
    parser.add_argument("--precision", choices=tuple(site.PRECISIONS), default="fp32")
    parser.add_argument("--images", type=int, default=3_840, help="images per timed epoch (default: %(default)s)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timings", type=Path, help="timing records of a full-data run (e.g. rehearsal/logs/timing)")
    args = parser.parse_args()
    site.keep_freed_memory()  # as every stage run does
    params = load_params(args.params)
    cores = args.jobs * args.threads
    print(
        f"{site.device_name(torch.device('cpu'))}; torch {torch.__version__}; "
        f"{args.jobs} job(s) at once x {args.threads} thread(s)"
    )

    print(
        f"\nGEMM peak (torch.mm of n x n matrices), GFLOP/s; CPU capability {torch.backends.cpu.get_cpu_capability()}"
    )
    peaks = {}
    for dtype, name in ((torch.float32, "fp32"), (torch.bfloat16, "bf16")):
        for threads in sorted({1, args.threads, cores}):
            peaks[name, threads], size = gemm_peak(threads, dtype)
            print(f"  {name} {threads} thread(s): {peaks[name, threads]:8.1f}  (n = {size})")
    peak = peaks[args.precision, cores]

    measured = measure_classes(params, args, bf16=args.precision == "bf16")
    print(
        f"\nper cost class ({args.precision}, {args.jobs} job(s) x {args.threads} thread(s)): one training step's "
        "FLOPs per image, images/s of all the jobs"
    )
    print(f"  {'representative':<26} {'MFLOP/image':>12} {'images/s':>9} {'GFLOP/s':>8} {'of peak':>8}")
    for entry in measured.values():
        achieved = entry["flops"] * entry["rate"] / 1e9
        print(
            f"  {entry['variant']:<26} {entry['flops'] / 1e6:>12.1f} {entry['rate']:>9.0f} {achieved:>8.1f} "
            f"{achieved / peak:>7.0%}"
        )

    work = training_work(params)
    seconds: dict[str, float] = defaultdict(float)
    flops = 0.0
    for kind, family, key, images in work:
        seconds[kind if kind != "train" else f"train {family}"] += images / measured[key]["rate"]
        flops += images * measured[key]["flops"]
    if args.timings:
        for kind, value in recorded_seconds(args.timings).items():
            if not kind.startswith(("train", "crossvalidate", "devices")):
                seconds[kind] += value / args.jobs  # the recorded jobs' seconds, run --jobs at once
    print(f"\nestimated wall time of the whole study, {args.jobs} job(s) at once")
    for kind, value in sorted(seconds.items()):
        print(f"  {kind:<30} {value / 3600:7.2f} h")
    total, floor = sum(seconds.values()), flops / (peak * 1e9)
    training = sum(value for kind, value in seconds.items() if kind.startswith(("train", "crossvalidate", "devices")))
    print(f"  {'total':<30} {total / 3600:7.2f} h")
    print(
        f"\ntraining {training / 3600:.2f} h for {flops / 1e15:.2f} PFLOP: the FLOP floor at the {args.precision} "
        f"peak is {floor / 3600:.2f} h, so training runs at {floor / training:.0%} of it ({training / floor:.2f}x)"
    )
    if not args.timings:
        print("evaluation not measured: give --timings <a full-data run's logs/timing> (make rehearsal)")


if __name__ == "__main__":
    main()
