"""Record results Snakemake produced in DVC, leaving Snakemake with nothing to do.

``dvc commit --force`` moves every output into DVC's cache and links or copies
it back; a single-file output (a processed dataset, a classifier, a sample
grid) comes back as a new file with a new modification time. Snakemake takes
an input newer than its outputs as changed, so after a plain ``dvc commit`` it
would retrain every variant of a dataset whose file was recorded. This commits
through DVC and then gives each output file back the modification time it had:
the content is the same, DVC only relinked it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from aelab.errors import UserError


def output_files(project: Path) -> dict[Path, int]:
    """Every file of every DVC output of the project that exists now, with its modification time (ns)."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    try:
        with Repo(str(project)) as repo:
            outputs = [Path(str(out.fs_path)) for stage in repo.index.stages for out in stage.outs]
    except DvcException as error:  # a damaged dvc.yaml or dvc.lock: DVC's own words, no traceback
        raise UserError(
            f"DVC cannot read this project's pipeline in {project.resolve()}: {error}. Restore the damaged file "
            "from git (git checkout -- dvc.lock) or fix it, then record again."
        ) from None
    files = (file for out in outputs for file in (out.rglob("*") if out.is_dir() else [out]))
    return {file: file.stat().st_mtime_ns for file in files if file.is_file()}


def record(project: Path = Path(".")) -> int:
    """``dvc commit --force`` with the outputs' modification times kept; returns how many were given back."""
    before = output_files(project)
    result = subprocess.run(["dvc", "commit", "--force", "--quiet"], cwd=project, capture_output=True, text=True)
    if result.returncode:
        raise UserError(f"dvc commit --force failed in {project.resolve()}:\n{result.stdout}{result.stderr}")
    restored = 0
    for file, mtime in before.items():
        status = file.stat()
        if status.st_mtime_ns != mtime:
            os.utime(file, ns=(status.st_atime_ns, mtime), follow_symlinks=False)
            restored += 1
    return restored
