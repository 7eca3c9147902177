"""How far apart two machines land: the same study, same seeds, same code, trained on two CPUs.

Float sums are ordered by the kernels a CPU's instruction set selects, so a
rerun on another CPU model may differ in the low digits, and a model that
amplifies them (a 2-D latent over 30 epochs) may differ more. This compares
the metrics of the working tree (a rerun on this machine) with those committed
at a git revision (the run published from another machine), variant by variant:
for each metric, both values and their ratio; per variant, the largest relative
difference. Wall times and the records of the machine are left out of the
comparison and shown as context.

    python benchmarks/cross_machine.py --against <git revision> [--study mlp]
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pandas as pd

from aelab import paths
from aelab.config.loading import load_params
from aelab.report.findings import COST, metric_files

MACHINE = ("device", "precision", "cpu_threads", "tf32")


def committed(revision: str, file: Path) -> dict | None:
    shown = subprocess.run(["git", "show", f"{revision}:{file.as_posix()}"], capture_output=True, text=True)
    return json.loads(shown.stdout) if shown.returncode == 0 else None


def compared(revision: str, variants: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every metric both runs have (then, now, now / then) and each variant's machine records."""
    rows, machines = [], {}
    for variant in variants:
        for file in metric_files(variant):
            then, now = committed(revision, file), json.loads(file.read_text())
            if then is None:
                continue
            if file == paths.train_metrics(variant):
                machines[variant] = {key: f"{then.get(key)} -> {now.get(key)}" for key in MACHINE if key in now}
            for key, value in now.items():
                old = then.get(key)
                numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (value, old))
                if numbers and not COST.fullmatch(key) and old is not None:
                    rows.append({"variant": variant, "metric": f"{file.stem}.{key}", "then": old, "now": value})
    table = pd.DataFrame(rows, columns=["variant", "metric", "then", "now"])
    table["now / then"] = table["now"] / table["then"]
    table["relative difference"] = (table["now"] - table["then"]).abs() / table["then"].abs()
    return table, pd.DataFrame.from_dict(machines, orient="index")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="the git revision whose committed metrics are the reference")
    parser.add_argument("--study", help="one study of params.yaml (default: every variant)")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()
    params = load_params(args.params)
    variants = params.studies[args.study].variants if args.study else list(params.variants)
    table, machines = compared(args.against, variants)
    if table.empty:
        raise SystemExit(f"no metric of these variants is both in the working tree and at {args.against}")
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", None)
    print(f"reference: the metrics committed at {args.against}; now: the working tree\n")
    print("machine records (then -> now):")
    print(machines.to_string(), "\n")
    print("every metric that differs:")
    differing = table[table["relative difference"] > 0]
    print(differing.to_string(index=False, float_format=lambda value: f"{value:.8g}") if len(differing) else "none")
    summary = table.groupby("variant", sort=False).agg(
        metrics=("metric", "size"),
        identical=("relative difference", lambda d: int((d == 0).sum())),
        largest_relative_difference=("relative difference", "max"),
    )
    print("\nper variant:")
    print(summary.to_string(float_format=lambda value: f"{value:.3g}"))
    identical = int((table["relative difference"] == 0).sum())
    print(
        f"\n{identical} of {len(table)} metrics bit-identical; largest relative difference "
        f"{table['relative difference'].max():.3g} ({table.loc[table['relative difference'].idxmax(), 'metric']} "
        f"of {table.loc[table['relative difference'].idxmax(), 'variant']})"
    )


if __name__ == "__main__":
    main()
