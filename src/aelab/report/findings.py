"""Findings: what a person concluded from a study's numbers, kept honest by a digest of those numbers.

A study's findings are a short text in ``docs/findings/<study>.md``, written
by someone who read its tables and figures. Its first line records a digest of
the study's metrics as they were when the text was signed
(``python -m aelab findings --sign <study>``). When a variant is retrained
(another machine rounds differently, a fix reruns a stage) the digest no
longer matches and the page marks the text as written before these numbers
changed, so a finding can never silently outlive its numbers.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from aelab import paths
from aelab.errors import UserError
from aelab.io import read_json, write_text

FINDINGS_DIR = Path("docs") / "findings"
SIGNATURE = re.compile(r"<!-- metrics digest (?P<digest>[0-9a-f]+)\b.*?-->\n+")
COST = re.compile(r".*seconds.*|images_per_second")
"""Wall times: they change with every run and machine, and no finding rests on their last digit."""

CURRENT, STALE, UNSIGNED, MISSING = "current", "stale", "unsigned", "missing"


def metric_files(variant: str) -> list[Path]:
    """Every metrics file a variant's stages wrote: training, each evaluation task, the device comparison."""
    files = [paths.train_metrics(variant), paths.devices_metrics(variant)]
    files += sorted(paths.task_metrics(variant, "any").parent.glob("*.json"))
    return [file for file in files if file.exists()]


def metrics_digest(variants: list[str]) -> str:
    """A digest of every number in the variants' metrics files but their wall times."""
    numbers = {
        file.as_posix(): {
            key: value
            for key, value in read_json(file).items()
            if isinstance(value, (int, float)) and not isinstance(value, bool) and not COST.fullmatch(key)
        }
        for variant in variants
        for file in metric_files(variant)
    }
    return hashlib.sha256(json.dumps(numbers, sort_keys=True).encode()).hexdigest()[:16]


def findings_file(study_id: str) -> Path:
    return FINDINGS_DIR / f"{study_id}.md"


@dataclass(frozen=True)
class Findings:
    text: str
    state: str
    """:data:`CURRENT`, :data:`STALE` (signed against other numbers), :data:`UNSIGNED` or :data:`MISSING`."""


def read_findings(study_id: str, digest: str) -> Findings:
    file = findings_file(study_id)
    if not file.exists():
        return Findings("", MISSING)
    text = file.read_text()
    signature = SIGNATURE.match(text)
    if signature is None:
        return Findings(text.strip(), UNSIGNED)
    return Findings(text[signature.end() :].strip(), CURRENT if signature["digest"] == digest else STALE)


def sign(study_id: str, digest: str) -> Path:
    """Record that the study's findings were (re)read against the numbers of ``digest``."""
    file = findings_file(study_id)
    if not file.exists():
        raise UserError(f"{file}: no findings to sign; write the study's findings there first")
    text = file.read_text()
    signature = SIGNATURE.match(text)
    body = text[signature.end() :] if signature else text
    header = (
        f"<!-- metrics digest {digest}: the numbers these findings were written against; after reading the "
        f"numbers again, python -m aelab findings --sign {study_id} -->\n\n"
    )
    write_text(file, header + body.lstrip("\n"))
    return file
