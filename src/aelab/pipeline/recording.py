"""Record results Snakemake produced in DVC, leaving Snakemake with nothing to do.

``dvc commit --force`` moves every output into DVC's cache and links or copies
it back; a single-file output (a processed dataset, a classifier, a sample
grid) comes back as a new file with a new modification time. Snakemake takes
an input newer than its outputs as changed, so after a plain ``dvc commit`` it
would retrain every variant of a dataset whose file was recorded. This commits
through DVC and then gives each output file back the modification time it had:
the content is the same, DVC only relinked it.

A study is run and published one part at a time (``make study STUDY=<id>``),
so only the stages whose jobs have finished are recorded: those whose every
dependency and output exists. That is what a finished job leaves and an
unfinished one never does: both engines delete a job's outputs before running
it, and each stage publishes its outputs atomically, its metrics last. A plain
``dvc commit --force`` would refuse the whole project at the first stage not
run yet.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aelab.errors import UserError


@dataclass(frozen=True)
class Recorded:
    """What one ``record`` did: the stages committed, the stages left out (not run yet), the files given back
    their modification time."""

    stages: list[str]
    not_run: list[str]
    restored: int


def finished_stages(project: Path) -> tuple[list[str], list[str], list[Path]]:
    """The addresses of the stages whose every dependency and output exists, of the others, and the finished
    stages' output paths."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    finished: list[str] = []
    not_run: list[str] = []
    outputs: list[Path] = []
    try:
        with Repo(str(project)) as repo:
            for stage in repo.index.stages:
                stage_outputs = [Path(str(out.fs_path)) for out in stage.outs]
                needed = [Path(str(dep.fs_path)) for dep in stage.deps] + stage_outputs
                if all(path.exists() for path in needed):
                    finished.append(stage.addressing)
                    outputs += stage_outputs
                else:
                    not_run.append(stage.addressing)
    except DvcException as error:  # a damaged dvc.yaml or dvc.lock: DVC's own words, no traceback
        raise UserError(
            f"DVC cannot read this project's pipeline in {project.resolve()}: {error}. Restore the damaged file "
            "from git (git checkout -- dvc.lock) or fix it, then record again."
        ) from None
    return finished, not_run, outputs


def modification_times(outputs: list[Path]) -> dict[Path, int]:
    """Every file of the outputs, with its modification time (ns)."""
    files = (file for out in outputs for file in (out.rglob("*") if out.is_dir() else [out]))
    return {file: file.stat().st_mtime_ns for file in files if file.is_file()}


def record(project: Path = Path(".")) -> Recorded:
    """``dvc commit --force`` of the finished stages, with their outputs' modification times kept."""
    finished, not_run, outputs = finished_stages(project)
    if not finished:
        return Recorded([], not_run, 0)
    before = modification_times(outputs)
    command = ["dvc", "commit", "--force", "--quiet", *finished]
    result = subprocess.run(command, cwd=project, capture_output=True, text=True)
    if result.returncode:
        raise UserError(f"dvc commit --force failed in {project.resolve()}:\n{result.stdout}{result.stderr}")
    restored = 0
    for file, mtime in before.items():
        status = file.stat()
        if status.st_mtime_ns != mtime:
            os.utime(file, ns=(status.st_atime_ns, mtime), follow_symlinks=False)
            restored += 1
    return Recorded(finished, not_run, restored)
