"""Threads per job, jobs per core and OpenMP's wait policy, measured alone and beside another busy process.

Each configuration runs real training epochs (aelab's engine, synthetic
images: ``workload.py``) in separate processes, as the workflow's jobs run, and prints the
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
from pathlib import Path

WORKLOAD = Path(__file__).with_name("workload.py")
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
                [sys.executable, str(WORKLOAD), variant, "--threads", str(count), "--seconds", str(seconds)],
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
