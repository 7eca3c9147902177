"""``python -m aelab <stage> ...``: the one entry point of every Snakemake rule and DVC stage.

Parses arguments, loads params, calls the stage; nothing else. Site settings
(mirror, device, threads, precision) are options or environment variables here,
and never params.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import resource
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, cast

from aelab import paths, site
from aelab.config.loading import json_schema, load_params, read_yaml
from aelab.config.tasks import EVALUATION_TASKS
from aelab.errors import UserError
from aelab.io import ResultError, write_json

if TYPE_CHECKING:
    import torch

log = logging.getLogger("aelab")


def download(args: argparse.Namespace) -> None:
    from aelab.data.fetch import download_dataset

    download_dataset(load_params(args.params).datasets, args.dataset, args.mirror)


def preprocess(args: argparse.Namespace) -> None:
    from aelab.data.preprocess import preprocess_dataset

    log.info("%s: %s", args.dataset, preprocess_dataset(load_params(args.params).datasets, args.dataset))


def colourise(args: argparse.Namespace) -> None:
    from aelab.data.cmnist import colourise_dataset

    log.info("%s: %s", args.dataset, colourise_dataset(load_params(args.params).datasets, args.dataset))


def pool_cmnist(args: argparse.Namespace) -> None:
    from aelab.data.cmnist import pool_dataset

    log.info("%s: %s", args.dataset, pool_dataset(load_params(args.params).datasets, args.dataset))


def download_coco(args: argparse.Namespace) -> None:
    from aelab.data.coco import download_image_set

    count = download_image_set(load_params(args.params).datasets, args.image_set, args.mirror)
    log.info("%s: %d images", args.image_set, count)


def preprocess_coco(args: argparse.Namespace) -> None:
    from aelab.data.coco import preprocess_coco_dataset

    threads = args.threads or len(os.sched_getaffinity(0))
    log.info("%s: %s", args.dataset, preprocess_coco_dataset(load_params(args.params).datasets, args.dataset, threads))


def train(args: argparse.Namespace) -> None:
    from aelab.training.stage import train_variant

    params = load_params(args.params)
    params.variant(args.variant)
    train_variant(params, args.variant, _device(args))


def crossvalidate(args: argparse.Namespace) -> None:
    from aelab.training.crossval import crossvalidate_variant

    metrics = crossvalidate_variant(load_params(args.params), args.variant, _device(args))
    log.info("crossval %s: %s", args.variant, metrics)


def devices(args: argparse.Namespace) -> None:
    from aelab.training.devices import compare_devices

    _prepare_torch(args)  # the devices themselves are the argument, not the site's choice
    metrics = compare_devices(load_params(args.params), args.variant, args.devices)
    args.device_used = ", ".join(str(value) for key, value in sorted(metrics.items()) if key.endswith("_device"))
    log.info("devices %s: %s", args.variant, metrics)


def train_classifier(args: argparse.Namespace) -> None:
    from aelab.classifier.stage import train_classifier as train_one

    metrics = train_one(load_params(args.params), args.dataset, _device(args))
    log.info("classifier %s: %s", args.dataset, metrics)


def evaluate(args: argparse.Namespace) -> None:
    from aelab.evaluation.stage import evaluate_variant

    params = load_params(args.params)
    params.require_task(args.task, args.variant)
    metrics = evaluate_variant(params, args.task, args.variant, _device(args))
    log.info("%s %s: %s", args.task, args.variant, metrics)


def units(args: argparse.Namespace) -> None:
    from aelab.evaluation.live_units import variant_live_units

    counts = variant_live_units(load_params(args.params), args.variant, _device(args))
    print(f"{args.variant}: live units of the encoder's last ReLU layer, over the {counts[0].images} test images")
    for count in counts:
        print(f"  seed {count.seed}: {count.live} of {count.units}")


def report(args: argparse.Namespace) -> None:
    from aelab.report.build import build_report

    log.info("wrote %s", build_report(load_params(args.params), Path(args.params)))


def schema(args: argparse.Namespace) -> None:
    print(json.dumps(json_schema(), indent=2))


def dvc_yaml(args: argparse.Namespace) -> None:
    from aelab.pipeline.dvc_yaml import dvc_yaml as generated

    print(generated(), end="")


def rehearsal_params(args: argparse.Namespace) -> None:
    from aelab.pipeline.rehearsal import rehearsal_yaml

    load_params(args.params)  # the rehearsal of an invalid study would fail hours later; valid, the file is a mapping
    print(rehearsal_yaml(cast(dict, read_yaml(Path(args.params))), args.epochs), end="")


def results(args: argparse.Namespace) -> None:
    from aelab.report.results import publish_results

    log.info("wrote %s", publish_results(load_params(args.params)))


def findings(args: argparse.Namespace) -> None:
    """Where each study's findings stand against its numbers; ``--sign`` records that the named studies' texts
    were read against the numbers as they are now."""
    from aelab.report.findings import metrics_digest, read_findings, sign
    from aelab.report.tables import published

    params = load_params(args.params)
    unknown = sorted(set(args.sign) - set(params.studies))
    if unknown:
        raise UserError(
            f"unknown study {', '.join(map(repr, unknown))}; params.yaml defines: {', '.join(params.studies)}"
        )
    for study_id, study in params.studies.items():
        variants = published(params, study.variants)
        if not variants:
            continue
        digest = metrics_digest(variants)
        if study_id in args.sign:
            log.info("signed %s", sign(study_id, digest))
        print(f"{study_id}: {read_findings(study_id, digest).state}")


def record(args: argparse.Namespace) -> None:
    from aelab.pipeline.recording import record as record_in_dvc

    recorded = record_in_dvc()
    if recorded.stages:
        log.info("recorded %d finished stage(s) in DVC", len(recorded.stages))
    else:
        log.info("no stage has made new outputs since it was recorded: nothing recorded")
    if recorded.standing:
        log.info("kept %d stage(s) whose outputs are the recorded ones (not run again)", len(recorded.standing))
    if recorded.not_run:
        log.info(
            "left out %d stage(s) whose dependencies or outputs are not here: not run yet, or run elsewhere "
            "(`dvc status` lists them)",
            len(recorded.not_run),
        )


def check(args: argparse.Namespace) -> None:
    params = load_params(args.params)
    site.check_settings()
    runs = sum(len(params.task_variants(task)) for task in EVALUATION_TASKS)
    print(
        f"{args.params}: valid: {len(params.datasets.ids)} datasets, {len(params.variants)} variants, "
        f"{runs} evaluation runs, {len(params.studies)} studies"
    )


def targets(args: argparse.Namespace) -> None:
    """What one study or variant needs, for an engine's command line (``snakemake $(...)``, ``dvc repro $(...)``)."""
    from aelab.pipeline.producers import snakemake_targets, study_runs, variant_runs

    params = load_params(args.params)
    selected = study_runs(params, args.study) if args.study else variant_runs(params, args.variant)
    print(" ".join(run.dvc_stage for run in selected) if args.dvc else " ".join(snakemake_targets(selected)))


def choices(args: argparse.Namespace) -> None:
    from aelab.report.choices import markdown

    print(markdown(load_params(args.params)), end="")


def _prepare_torch(args: argparse.Namespace) -> None:
    """The process settings every tensor stage shares: its thread count, malloc keeping freed memory, IEEE
    float32 on a GPU (TF32 off), and a valid precision setting (checked before any work, not after)."""
    import torch

    site.precision()
    torch.set_num_threads(args.threads or site.threads())
    site.keep_freed_memory()
    site.use_ieee_float32()


def _device(args: argparse.Namespace) -> torch.device:
    _prepare_torch(args)
    device = site.resolve_device(args.device)
    args.device_used = site.device_name(device)
    return device


SUBJECT_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
"""What a variant, dataset or image set id may be (the params schema's ids): a plain name, never a path."""


def subject_name(value: str) -> str:
    """A stage's subject, checked before it names any file: ``../../results/x`` is refused, not written to."""
    if not SUBJECT_NAME.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an id of params.yaml (lower-case letters, digits, '-' and '_', "
            "starting with a letter or digit)"
        )
    return value


def thread_count(value: str) -> int:
    """A ``--threads`` value: torch refuses fewer than one thread with a traceback, and 0 must not quietly mean
    the default."""
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of threads, at least 1, got {value!r}")
    return int(value)


def torch_options(command: argparse.ArgumentParser, device: bool = True) -> None:
    """The site options of a command that runs torch: its device (unless it compares devices) and threads."""
    if device:
        command.add_argument("--device", choices=site.DEVICE_CHOICES, help=f"default: ${site.DEVICE_VARIABLE} or auto")
    command.add_argument(
        "--threads",
        type=thread_count,
        help=f"CPU threads for torch (default: ${site.THREADS_VARIABLE} or {site.DEFAULT_THREADS})",
    )


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments in one line that names the argument and what was expected, not a usage block above it (the
    engines' logs keep one line per failed command)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser() -> argparse.ArgumentParser:
    root = OneLineParser(prog="aelab", description=__doc__.splitlines()[0])
    root.add_argument("--params", default="params.yaml", help="params file (default: %(default)s)")
    root.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    stages = root.add_subparsers(dest="stage", required=True, metavar="STAGE")

    def stage(function, help_text: str) -> argparse.ArgumentParser:
        sub = stages.add_parser(function.__name__, help=help_text, description=help_text)
        sub.set_defaults(run=function)
        return sub

    mirror_help = f"local mirror directory (default: ${site.MIRROR_VARIABLE}, else the official URLs)"
    fetching = stage(download, "fetch and verify an IDX dataset's published files (mnist, fashion_mnist)")
    fetching.add_argument("dataset", type=subject_name)
    fetching.add_argument("--mirror", help=mirror_help)
    stage(preprocess, "turn verified IDX files into data/processed/<dataset>.npz").add_argument(
        "dataset", type=subject_name
    )
    stage(colourise, "generate a CMNIST dataset from processed MNIST").add_argument("dataset", type=subject_name)
    stage(pool_cmnist, "pool the training splits of several CMNIST bias levels, keep a random fraction").add_argument(
        "dataset", type=subject_name
    )
    fetching_coco = stage(download_coco, "fetch a COCO 2017 image set (val2017, train2017)")
    fetching_coco.add_argument("image_set", type=subject_name)
    fetching_coco.add_argument("--mirror", help=mirror_help)
    coco = stage(preprocess_coco, "resize and centre-crop COCO images into data/processed/<dataset>.npz")
    coco.add_argument("dataset", type=subject_name)
    coco.add_argument("--threads", type=thread_count, help="decoding threads (default: the CPUs this process may use)")
    computing = (
        (train, "train one variant", "variant"),
        (crossvalidate, "k-fold cross-validation of one variant's training objective", "variant"),
        (train_classifier, "train the sample-quality classifier of one labelled dataset", "dataset"),
        (evaluate, "run one evaluation task on a trained variant", "variant"),
    )
    for function, help_text, subject in computing:
        sub = stage(function, help_text)
        if function is evaluate:
            sub.add_argument("task", choices=EVALUATION_TASKS)
        sub.add_argument(subject, type=subject_name)
        torch_options(sub)
    comparing = stage(devices, "train one variant on each listed device in float32 (CPU against GPU)")
    comparing.add_argument("variant", type=subject_name)
    comparing.add_argument(
        "--devices",
        nargs="+",
        choices=("cpu", "cuda"),
        default=["cpu", "cuda"],
        help="devices to compare; one the machine lacks is skipped (default: %(default)s)",
    )
    torch_options(comparing, device=False)
    inspecting = stage(units, "count, per seed, the units of a trained encoder's last ReLU layer that ever fire")
    inspecting.add_argument("variant", type=subject_name)
    torch_options(inspecting)
    stage(report, "build the HTML report of every variant in params.yaml")
    stage(results, "write docs/results.md from the committed metrics (and copy the study figures beside it)")
    reading = stage(findings, "say where each study's findings (docs/findings/) stand against its numbers")
    reading.add_argument(
        "--sign",
        nargs="+",
        default=[],
        metavar="STUDY",
        help="record that these studies' findings were read against the numbers as they are now",
    )
    stage(
        record,
        "dvc commit --force --no-relink of every finished stage: the outputs stay untouched, so Snakemake has "
        "nothing to do",
    )
    stage(
        check,
        "validate params.yaml and the site settings (every engine does so first; DVC runs this whenever the file "
        "changes)",
    )
    targeting = stage(targets, "print what one study (or some variants) needs, as Snakemake targets or DVC stages")
    chosen = targeting.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--study", type=subject_name, help="a study of params.yaml")
    chosen.add_argument("--variant", type=subject_name, nargs="+", help="variants of params.yaml")
    targeting.add_argument("--dvc", action="store_true", help="DVC stage names (default: Snakemake target files)")
    stage(schema, "print the JSON schema of params.yaml")
    stage(dvc_yaml, "print dvc.yaml, generated from the pipeline's stage table")
    stage(choices, "print the values the publications leave open and aelab's choices (docs/choices.md)")
    rehearsing = stage(rehearsal_params, "print params.yaml with every epoch count capped (a scale rehearsal)")
    rehearsing.add_argument("--epochs", type=int, default=1, help="the cap (default: %(default)s)")
    return root


SUBJECTS = ("task", "variant", "dataset", "image_set")
"""The positional arguments that name what a stage run works on."""


UNRECORDED = (
    "check",
    "record",
    "schema",
    "dvc_yaml",
    "targets",
    "rehearsal_params",
    "choices",
    "results",
    "findings",
    "report",
    "units",
)
"""Commands that are not pipeline stage runs of a subject: no timing or failure record."""


class Interrupted(BaseException):
    """A stage stopped by a signal (SIGTERM from a scheduler or a user's kill), like Ctrl-C's KeyboardInterrupt:
    not an ``Exception``, so no handler of the stage swallows it; ``finally`` blocks still clean up."""

    def __init__(self, number: int):
        super().__init__(signal.Signals(number).name)
        self.number = number


def _interrupt(number: int, frame: object) -> None:
    raise Interrupted(number)


RESUMABLE = ("train", "crossvalidate", "devices", "train_classifier")
"""Stages that keep a resume state after every epoch."""


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(name)s: %(message)s"
    )
    started = time.perf_counter()
    recorded = args.stage not in UNRECORDED
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if recorded:
            site.check_settings()  # every setting, before the stage touches anything
        args.run(args)
    except UserError as error:
        message = str(error) + (f"; {_rebuild_hint(args, error.path)}" if isinstance(error, ResultError) else "")
        print(f"aelab {args.stage}: error: {message}", file=sys.stderr)
        if recorded:
            _record_failure(args, message)
        return 2
    except (KeyboardInterrupt, Interrupted) as stop:
        number = stop.number if isinstance(stop, Interrupted) else signal.SIGINT
        again = (
            "it resumes from its last completed epoch when the same command runs again"
            if args.stage in RESUMABLE
            else "run the same command again"
        )
        message = f"interrupted by {signal.Signals(number).name}; nothing of this run was published; {again}"
        print(f"aelab {args.stage}: {message}", file=sys.stderr)
        if recorded:
            _record_failure(args, message)
        return 128 + number
    except Exception as error:  # a bug: the traceback follows, and the report still names the failed stage
        if recorded:
            _record_failure(args, f"{type(error).__name__}: {error}")
        raise
    if recorded:
        _record_timing(args, time.perf_counter() - started)
        paths.stage_failure(args.stage, _subject(args)).unlink(missing_ok=True)
    return 0


def _rebuild_hint(args: argparse.Namespace, path: Path) -> str:
    """The commands that rebuild exactly the damaged, missing or foreign file, in each engine."""
    from aelab.pipeline.producers import rebuild_hint

    try:
        return rebuild_hint(load_params(args.params), path)
    except UserError:  # the params themselves are broken: their own error comes first
        return "delete it and run the stage that writes it again"


def _subject(args: argparse.Namespace) -> str:
    return "-".join(getattr(args, name) for name in SUBJECTS if getattr(args, name, None)) or "all"


def _record_failure(args: argparse.Namespace, error: str) -> None:
    """What failed and why, for the report (a failed job leaves no output that could say it)."""
    write_json(
        paths.stage_failure(args.stage, _subject(args)),
        {
            "stage": args.stage,
            "subject": _subject(args),
            "error": error,
            "failed": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )


def _record_timing(args: argparse.Namespace, seconds: float) -> None:
    """Wall time, peak memory, device and host of a finished stage run, for the report's provenance."""
    subject = _subject(args)
    write_json(
        paths.stage_timing(args.stage, subject),
        {
            "stage": args.stage,
            "subject": subject,
            "seconds": round(seconds, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),  # Linux: KiB
            "device": getattr(args, "device_used", None),
            "host": platform.node(),  # None: a stage without tensors
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        },
    )
