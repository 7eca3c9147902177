"""``python -m aelab <stage> ...``: the one entry point of every Snakemake rule and DVC stage.

Parses arguments, loads params, calls the stage; nothing else. Site settings
(mirror, device, threads) are options here and never params.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import torch

from aelab import paths, site
from aelab.config import json_schema, load_params
from aelab.errors import UserError

log = logging.getLogger("aelab")


def download(args: argparse.Namespace) -> None:
    from aelab.data.fetch import fetch
    from aelab.data.sources import source

    params = load_params(args.params)
    _require_declared(params.datasets, args.dataset, "dataset", "datasets")
    fetch(source(args.dataset), paths.raw_dir(args.dataset), site.data_mirror(args.mirror))


def preprocess(args: argparse.Namespace) -> None:
    from aelab.data.preprocess import preprocess as build
    from aelab.data.sources import source

    params = load_params(args.params)
    _require_declared(params.datasets, args.dataset, "dataset", "datasets")
    raw, target = paths.raw_dir(args.dataset), paths.processed_file(args.dataset)
    arrays = build(source(args.dataset), raw, target, params.datasets[args.dataset])
    log.info("%s: %s", args.dataset, {name: array.shape for name, array in arrays.items()})


def train(args: argparse.Namespace) -> None:
    from aelab.training.loop import train_variant

    params = load_params(args.params)
    params.variant(args.variant)
    train_variant(params, args.variant, _device(args))


def evaluate(args: argparse.Namespace) -> None:
    from aelab.evaluation.stage import evaluate_variant

    params = load_params(args.params)
    params.variant(args.variant)
    metrics = evaluate_variant(args.variant, params.evaluation, _device(args))
    log.info("%s: %s", args.variant, metrics)


def report(args: argparse.Namespace) -> None:
    from aelab.report.build import build_report

    log.info("wrote %s", build_report(load_params(args.params), Path(args.params)))


def schema(args: argparse.Namespace) -> None:
    print(json.dumps(json_schema(), indent=2))


def _require_declared(declared: dict, name: str, what: str, section: str) -> None:
    if name not in declared:
        raise UserError(f"{what} {name!r} is not declared under '{section}' in params.yaml (declared: {', '.join(declared)})")


def _device(args: argparse.Namespace) -> torch.device:
    if args.threads:
        torch.set_num_threads(args.threads)
    return site.resolve_device(args.device)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="aelab", description=__doc__.splitlines()[0])
    root.add_argument("--params", default="params.yaml", help="params file (default: %(default)s)")
    root.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    stages = root.add_subparsers(dest="stage", required=True, metavar="STAGE")

    def stage(function, help_text: str) -> argparse.ArgumentParser:
        sub = stages.add_parser(function.__name__, help=help_text, description=help_text)
        sub.set_defaults(run=function)
        return sub

    fetching = stage(download, "fetch and verify a dataset's published files")
    fetching.add_argument("dataset")
    fetching.add_argument("--mirror", help=f"local mirror directory (default: ${site.MIRROR_VARIABLE}, else the official URLs)")
    stage(preprocess, "turn verified raw files into data/processed/<dataset>.npz").add_argument("dataset")
    for function, help_text in ((train, "train one variant"), (evaluate, "evaluate one trained variant")):
        sub = stage(function, help_text)
        sub.add_argument("variant")
        sub.add_argument("--device", choices=site.DEVICE_CHOICES, help=f"default: ${site.DEVICE_VARIABLE} or auto")
        sub.add_argument("--threads", type=int, help="CPU threads for torch (Snakemake passes the rule's threads)")
    stage(report, "build the HTML report of every variant in params.yaml")
    stage(schema, "print the JSON schema of params.yaml")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        args.run(args)
    except UserError as error:
        print(f"aelab {args.stage}: error: {error}", file=sys.stderr)
        return 2
    return 0
