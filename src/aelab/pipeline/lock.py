"""One engine at a time: Snakemake and DVC must not run in the same project at once.

Both engines delete a job's declared outputs before they run it, so a
``dvc repro`` started beside a running ``snakemake`` deleted a checkpoint that
Snakemake's job was about to publish. DVC serialises its own commands with a
lock on ``.dvc/tmp/lock`` (an fcntl lock through zc.lockfile), but releases it
while a stage's command runs (so that the command may call dvc itself); for
that time the stage's paths stand in ``.dvc/tmp/rwlock`` with the pid of the
dvc command. A Snakemake run takes the project lock for as long as it runs, so
DVC cannot start under it ("Unable to acquire lock"), and refuses to start
while DVC holds the lock or runs a stage.
"""

from __future__ import annotations

import json
from pathlib import Path

from aelab.errors import UserError

DVC_LOCK = Path(".dvc") / "tmp" / "lock"
DVC_STAGE_LOCKS = Path(".dvc") / "tmp" / "rwlock"
"""DVC's record of the stages running now: ``{"write": {path: {"pid", "cmd"}}, "read": {path: [...]}}``."""


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
        handle = zc.lockfile.LockFile(str(lock), content_template="{pid} snakemake")
    except zc.lockfile.LockError:
        raise busy(f"a DVC command is running in this project (it holds {lock})") from None
    commands = running_dvc_stages(project)
    if commands:
        handle.close()
        raise busy(f"DVC is running a stage in this project ({'; '.join(commands)})")
    return handle


def running_dvc_stages(project: Path) -> list[str]:
    """The dvc commands (as typed) whose stage runs now: DVC's stage record, read under DVC's own guard of it
    (with DVC's retries); entries of a killed dvc name a dead pid and are ignored, as DVC ignores them."""
    import psutil
    from dvc.lock import LockError, make_lock

    record = project / DVC_STAGE_LOCKS
    try:
        with make_lock(f"{record}.lock", tmp_dir=str(record.parent)):
            stages = json.loads(record.read_text()) if record.exists() else {}
    except LockError:
        raise busy(f"DVC keeps {record}.lock locked") from None
    holders = list(stages.get("write", {}).values()) + [
        holder for readers in stages.get("read", {}).values() for holder in readers
    ]
    return sorted({holder["cmd"] for holder in holders if psutil.pid_exists(holder["pid"])})


def busy(what: str) -> UserError:
    return UserError(
        f"{what}: Snakemake and DVC would delete each other's outputs. Wait for it to finish, then run snakemake again."
    )
