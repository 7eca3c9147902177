"""Threads per job, jobs per core and OpenMP's wait policy, measured alone and beside another busy process.

Each configuration runs real training epochs (aelab's engine, synthetic
images) in separate processes, as the workflow's jobs run, and prints the
images/s of each job and their sum, side by side with one 2-thread job alone
(the reference). "Beside a busy process" adds a single-threaded Python loop
that keeps one core busy for the whole measurement, as a user's other work on
a shared machine does.

    python benchmarks/thread_policy.py [--variants vae-baseline vae-deep-stride1 mlp-m2] [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

JOB = """
import json, sys, time, torch
from aelab import site
from aelab.config.loading import load_params
from aelab.config.training import TrainingConfig
from aelab.data.loading import Split
from aelab.models.registry import build_model
from aelab.training.engine import adam, train_epoch
site.keep_freed_memory()
torch.set_num_threads(int(sys.argv[2]))
params = load_params("params.yaml")
variant = params.variant(sys.argv[1])
shape = params.datasets.image_shape(variant.dataset)
torch.manual_seed(0)
model = build_model(variant.model, shape)
model = model.to(memory_format=model.memory_format)
data = Split(torch.rand(1280, *shape), torch.randint(0, 10, (1280,))).to(memory_format=model.memory_format)
settings = TrainingConfig(epochs=1, batch_size=128, learning_rate=1e-3, adam_eps=1e-7)
optimizer, order = adam(model, settings), torch.Generator().manual_seed(0)
train_epoch(model, data, optimizer, settings, order, False)
started, images = time.perf_counter(), 0
while time.perf_counter() - started < float(sys.argv[3]):
    train_epoch(model, data, optimizer, settings, order, False)
    images += len(data)
print(json.dumps(images / (time.perf_counter() - started)))
"""
BUSY = "while True: pass"


def run_jobs(variant: str, threads: list[int], seconds: float, busy: bool, wait_policy: str | None) -> list[float]:
    """images/s of each of the jobs (one per entry of ``threads``), run at once."""
    environment = dict(os.environ)
    environment.pop("OMP_NUM_THREADS", None)
    if wait_policy:
        environment["OMP_WAIT_POLICY"] = wait_policy
    hog = subprocess.Popen([sys.executable, "-c", BUSY]) if busy else None
    try:
        jobs = [
            subprocess.Popen(
                [sys.executable, "-c", JOB, variant, str(count), str(seconds)],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for count in threads
        ]
        return [json.loads(job.communicate()[0]) for job in jobs]
    finally:
        if hog:
            hog.kill()
            hog.wait()


CONFIGURATIONS = {
    "1 job x 2 threads (reference)": ([2], False, None),
    "1 job x 1 thread": ([1], False, None),
    "2 jobs x 1 thread": ([1, 1], False, None),
    "1 job x 2 threads + busy process": ([2], True, None),
    "1 job x 2 threads + busy, OMP passive": ([2], True, "PASSIVE"),
    "1 job x 1 thread + busy process": ([1], True, None),
    "2 jobs x 1 thread + busy process": ([1, 1], True, None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["vae-baseline", "vae-deep-stride1", "mlp-m2"])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per job (default: %(default)s)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; each job trains for {args.seconds:g} s after a warm-up epoch\n")
    for variant in args.variants:
        print(variant)
        reference = None
        for name, (threads, busy, policy) in CONFIGURATIONS.items():
            rates = run_jobs(variant, threads, args.seconds, busy, policy)
            total = sum(rates)
            reference = reference or total
            each = " + ".join(f"{rate:.0f}" for rate in rates)
            print(f"  {name:<40} {each:>14} = {total:6.0f} images/s   {total / reference:5.2f}x")
            time.sleep(1)
        print()


if __name__ == "__main__":
    main()
