"""The conditions a study's numbers were made under, and where its variants differ in them.

Site settings rerun nothing (moving a study to a GPU must not invalidate it),
so one study can hold variants trained in bfloat16 and in float32, on a CPU
and on a GPU, with one thread and with two, or by different versions of the
stage code. Every ``train.json`` records the first three; ``dvc.lock`` records
the content hash of every source file each stage ran. A reader of a table must
be told when its rows were not made alike, and how.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from aelab import paths
from aelab.io import read_json

LOCK_FILE = Path("dvc.lock")
CODE_ROOT = "src/"
"""Dependencies under this folder are the stage code (the rest are data and params)."""
NOT_RECORDED = "not recorded in dvc.lock"


def _device(record: dict) -> str:
    tf32 = record.get("tf32")
    return str(record.get("device", "unknown")) + ("" if tf32 is None else f" (TF32 {'on' if tf32 else 'off'})")


def _threads(record: dict) -> str:
    threads = record.get("cpu_threads")
    return "none (a GPU trained it)" if threads is None else str(threads)


RECORDED = {
    "precision": lambda record: str(record.get("precision", "unknown")),
    "device": _device,
    "CPU threads per job": _threads,
}
"""The conditions each variant's train.json records, as the page words them."""


@dataclass(frozen=True)
class Conditions:
    """Per condition, each value and the variants that have it (one value: the study's numbers were made alike)."""

    values: dict[str, dict[str, list[str]]]
    code_files: int
    """Source files its stages ran, as dvc.lock records them (0: none recorded)."""

    def differing(self) -> dict[str, dict[str, list[str]]]:
        return {name: found for name, found in self.values.items() if len(found) > 1}


def read_lock(lock_file: Path = LOCK_FILE) -> dict[str, dict]:
    """dvc.lock's stages (``train@vae-baseline`` -> its entry); none where nothing is recorded yet."""
    if not lock_file.exists():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return (yaml.load(lock_file.read_text(), Loader=loader) or {}).get("stages", {})


def stage_code(lock: dict[str, dict], variant: str) -> dict[str, str]:
    """Source file -> content hash, over every recorded stage of the variant (its training and its evaluations)."""
    code: dict[str, str] = {}
    for name, entry in lock.items():
        if name.partition("@")[2] == variant:
            code |= {dep["path"]: dep["md5"] for dep in entry.get("deps", []) if dep["path"].startswith(CODE_ROOT)}
    return code


def code_versions(lock: dict[str, dict], variants: list[str]) -> tuple[dict[str, list[str]], int]:
    """The study's stage code as one value per variant, and how many files it spans.

    Variants run different evaluation tasks, so they ran different sets of
    files; what must agree is each file's version wherever it ran. Alike: one
    short digest for every variant. Otherwise each file that ran in several
    versions, with the variants that ran each."""
    by_variant = {variant: stage_code(lock, variant) for variant in variants}
    versions: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for variant, code in by_variant.items():
        for file, md5 in code.items():
            versions[file][md5].append(variant)
    values: dict[str, list[str]] = defaultdict(list)
    unrecorded = [variant for variant, code in by_variant.items() if not code]
    if unrecorded:
        values[NOT_RECORDED] = unrecorded
    changed = {file: found for file, found in sorted(versions.items()) if len(found) > 1}
    if not changed:
        union = sorted({(file, md5) for code in by_variant.values() for file, md5 in code.items()})
        digest = hashlib.sha256(repr(union).encode()).hexdigest()[:12]
        recorded = [variant for variant in variants if by_variant[variant]]
        if recorded:
            values[f"one version of each file (digest {digest})"] = recorded
        return dict(values), len(versions)
    for file, found in changed.items():
        for md5, holders in found.items():
            values[f"{file} at {md5[:8]}"] = holders
    return dict(values), len(versions)


def study_conditions(variants: list[str], lock: dict[str, dict]) -> Conditions:
    """The conditions of the study's variants that have trained (their train.json exists)."""
    trained = [variant for variant in variants if paths.train_metrics(variant).exists()]
    records = {variant: read_json(paths.train_metrics(variant)) for variant in trained}
    values: dict[str, dict[str, list[str]]] = {}
    for name, describe in RECORDED.items():
        found: dict[str, list[str]] = defaultdict(list)
        for variant, record in records.items():
            found[describe(record)].append(variant)
        values[name] = dict(found)
    values["stage code"], files = code_versions(lock, trained)
    return Conditions(values, files)


def made_under(conditions: Conditions) -> str:
    """The conditions every variant of the study shares, as one sentence."""
    alike = {name: next(iter(found)) for name, found in conditions.values.items() if len(found) == 1}
    parts = [f"{name}: {value}" for name, value in alike.items()]
    if "stage code" in alike and conditions.code_files:
        parts[-1] += f", over the {conditions.code_files} source files its stages ran"
    return f"Made under: {'; '.join(parts)}." if parts else ""


def differences(conditions: Conditions) -> list[str]:
    """Plainly, each condition its variants differ in, with the variants that have each value."""
    return [
        f"Not made alike: {name} differs between its variants: "
        + "; ".join(f"{value} ({', '.join(holders)})" for value, holders in found.items())
        + "."
        for name, found in conditions.differing().items()
    ]
