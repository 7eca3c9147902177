"""bf16 autocast against float32: what the faster mode costs in fidelity, through the real pipeline.

Each reference variant is trained with each of its seeds in both precisions
(the site setting ``AELAB_PRECISION``) by ``python -m aelab`` in a scratch
project on real MNIST from the mirror, cut to --train-images / --test-images
and --epochs so that both precisions fit in minutes on a CPU without native
bf16 (emulated bf16 is ~10x slower there), then its diagnostics task runs.
Printed per variant and precision, mean +- std over the seeds: the final
training loss, reconstruction loss and held-out loss, the active units, and
seconds per epoch; then bf16's difference in units of float32's seed-to-seed
std (how far outside the noise of a reseed the faster mode lands).

    python benchmarks/precision_fidelity.py [--variants vae-baseline vae-latent10] [--epochs 5]
        [--train-images 3000] [--test-images 1000] [--threads 1] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

from aelab import paths

PRECISIONS = ("fp32", "bf16")
COLUMNS = {
    "train_loss": "train loss",
    "train_recon": "train recon",
    "test_loss": "held-out loss",
    "active_units": "active units",
    "seconds_per_epoch": "s/epoch",
}


def scratch_params(source: Path, args) -> str:
    """The repository's params with MNIST and the shared training length cut to the benchmark's size."""
    params = yaml.safe_load(source.read_text())
    params["datasets"]["idx"]["mnist"].update(train_images=args.train_images, test_images=args.test_images)
    params["training"]["epochs"] = args.epochs
    return yaml.safe_dump(params, sort_keys=False)


def aelab(project: Path, precision: str, threads: int, *arguments: str) -> None:
    environment = os.environ | {"AELAB_PRECISION": precision, "AELAB_THREADS": str(threads), "AELAB_DEVICE": "cpu"}
    command = [sys.executable, "-m", "aelab", *arguments]
    finished = subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True)
    if finished.returncode:
        raise SystemExit(f"{' '.join(command)} in {project} failed:\n{finished.stderr[-3000:]}")


def scratch_project(project: Path, params_text: str, prepared: Path | None) -> None:
    """A project with the benchmark's params and processed MNIST: prepared by the stages, or copied from
    ``prepared`` (the same params make the same data in either precision)."""
    project.mkdir(parents=True, exist_ok=True)
    (project / "params.yaml").write_text(params_text)
    if prepared:
        shutil.copytree(prepared / "data", project / "data", dirs_exist_ok=True)
        return
    aelab(project, "fp32", 1, "download", "mnist")
    aelab(project, "fp32", 1, "preprocess", "mnist")


def run_precision(project: Path, precision: str, args) -> dict[str, dict[int, dict]]:
    """Per variant, per seed: the final epoch's losses, active units and seconds per epoch."""
    found: dict[str, dict[int, dict]] = {}
    for variant in args.variants:
        aelab(project, precision, args.threads, "train", variant)
        aelab(project, precision, args.threads, "evaluate", "diagnostics", variant)
        diagnostics = json.loads((project / paths.task_metrics(variant, "diagnostics")).read_text())
        found[variant] = {}
        for history_file in sorted((project / paths.history_dir(variant)).glob("seed*.csv")):
            seed = int(history_file.stem.removeprefix("seed"))
            history = pd.read_csv(history_file)
            last = history.iloc[-1]
            found[variant][seed] = {
                "train_loss": last["train_loss"],
                "train_recon": last["train_recon"],
                "test_loss": last["test_loss"],
                "active_units": diagnostics.get(f"active_units_seed{seed}", diagnostics["active_units"]),
                "seconds_per_epoch": history["seconds"].mean(),
            }
    return found


def mean_std(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def print_comparison(results: dict[str, dict[str, dict[int, dict]]], variants: list[str]) -> None:
    header = "".join(f"{name:>22}" for name in COLUMNS.values())
    for variant in variants:
        print(f"\n{variant} ({len(results['fp32'][variant])} seeds): mean +- std over seeds")
        print(f"  {'precision':<9}{header}")
        summary = {}
        for precision in PRECISIONS:
            seeds = results[precision][variant].values()
            summary[precision] = {key: mean_std([seed[key] for seed in seeds]) for key in COLUMNS}
            cells = "".join(f"{mean:>13.4g} +- {std:<6.3g}" for mean, std in summary[precision].values())
            print(f"  {precision:<9}{cells}")
        cells = "".join(f"{difference(key, summary['fp32'][key], summary['bf16'][key]):>22}" for key in COLUMNS)
        print(f"  {'bf16-fp32':<9}{cells}")


def difference(key: str, fp32: tuple[float, float], bf16: tuple[float, float]) -> str:
    """bf16's mean against float32's: relative, and in float32's seed-to-seed std (time: as a ratio)."""
    (reference, spread), (mean, _) = fp32, bf16
    if key == "seconds_per_epoch":
        return f"{mean / reference:.2f}x the time"
    relative = f"{(mean - reference) / abs(reference):+.3%}" if reference else f"{mean - reference:+.2f}"
    return relative + (f" ({(mean - reference) / spread:+.2f} sd)" if spread else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", nargs="+", default=["vae-baseline", "vae-latent10"])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--train-images", type=int, default=3_000)
    parser.add_argument("--test-images", type=int, default=1_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--params", type=Path, default=Path("params.yaml"))
    parser.add_argument("--workdir", type=Path, help="scratch projects (default: a new temporary folder)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="precision-fidelity-"))
    params_text = scratch_params(args.params, args)
    print(
        f"{', '.join(args.variants)}: {args.epochs} epochs on {args.train_images} MNIST training images "
        f"({args.test_images} held out), {args.threads} thread(s), scratch projects in {workdir}"
    )
    results = {}
    for precision in PRECISIONS:
        scratch_project(workdir / precision, params_text, workdir / PRECISIONS[0] if results else None)
        results[precision] = run_precision(workdir / precision, precision, args)
    print_comparison(results, args.variants)


if __name__ == "__main__":
    main()
