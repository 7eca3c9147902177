"""One engine at a time: Snakemake and DVC must not run in the same project at once.

Both engines delete a job's declared outputs before they run it, so a
``dvc repro`` started beside a running ``snakemake`` deleted a checkpoint that
Snakemake's job was about to publish. DVC already serialises its own commands
with a lock on ``.dvc/tmp/lock`` (an fcntl lock through zc.lockfile). A
Snakemake run takes that same lock for as long as it runs, so DVC cannot start
under it (DVC then says "Unable to acquire lock"), and Snakemake refuses to
start while DVC holds it.
"""

from __future__ import annotations

from pathlib import Path

from aelab.errors import UserError

DVC_LOCK = Path(".dvc") / "tmp" / "lock"


def hold_dvc_lock(project: Path = Path(".")) -> object | None:
    """Take DVC's project lock and keep it until the returned handle is closed or the process ends.

    None where the project is not a DVC project (no ``.dvc/``).
    """
    import zc.lockfile

    if not (project / ".dvc").is_dir():
        return None
    lock = project / DVC_LOCK
    lock.parent.mkdir(exist_ok=True)
    try:
        return zc.lockfile.LockFile(str(lock), content_template="{pid} snakemake")
    except zc.lockfile.LockError:
        raise UserError(
            f"a DVC command is running in this project (it holds {lock}): Snakemake and DVC would delete "
            "each other's outputs. Wait for it to finish, then run snakemake again."
        ) from None
