"""A real single-node SLURM cluster for tests: munge + slurmctld + slurmd, all in a temp dir.

Configuration that works without cgroups or slurmdbd (Debian 12, slurm 22.05):
process tracking by /proc, no task plugin, cores and memory as consumable
resources with a default memory per CPU (otherwise a job without --mem takes
the whole node). Without accounting, `sacct` knows no jobs, so the Snakemake
executor must poll with `squeue`. Every daemon is stopped by its PID on exit,
also when the test fails.

The configuration has to be at the default path, as on a real cluster: the
Snakemake job step strips ``SLURM_*`` variables (``SLURM_CONF`` included)
before its nested ``srun``. It is written only where no configuration exists,
and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

DEFAULT_CONFIG = Path("/etc/slurm/slurm.conf")
NODE_CPUS = 4
BINARIES = ("munged", "mungekey", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "srun")

CONFIG = """\
ClusterName=aelab-test
SlurmctldHost={host}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={root}/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=3600
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SlurmctldPort={ctld_port}
SlurmdPort={d_port}
StateSaveLocation={root}/state
SlurmdSpoolDir={root}/spool
SlurmctldPidFile={root}/slurmctld.pid
SlurmdPidFile={root}/slurmd.pid
SlurmctldLogFile={root}/slurmctld.log
SlurmdLogFile={root}/slurmd.log
SlurmdParameters=config_overrides
{node}
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
"""


def unavailable_reason() -> str | None:
    """Why no test cluster can be started here, or None."""
    missing = [name for name in BINARIES if shutil.which(name) is None]
    if missing:
        return f"SLURM/munge programs not installed: {', '.join(missing)}"
    # One of this test's own (its first line), left by an interrupted run, is overwritten.
    if DEFAULT_CONFIG.exists() and not DEFAULT_CONFIG.read_text().startswith(CONFIG.splitlines()[0]):
        return f"{DEFAULT_CONFIG} exists (a real cluster's?); the test will not overwrite it"
    if os.geteuid() != 0:
        return "starting slurmd needs root"
    return None


@contextmanager
def single_node_cluster(root: Path):
    """Start the cluster under ``root``; yields the environment that points clients at it."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "state").mkdir()
    (root / "spool").mkdir()
    hardware = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
    fields = dict(field.split("=", 1) for field in hardware.split())
    # Declared with NODE_CPUS whatever the machine has (config_overrides): two of the rules' 2-thread jobs at a
    # time, as the local run's --cores 4.
    node = f"NodeName={fields['NodeName']} CPUs={NODE_CPUS} RealMemory={fields['RealMemory']}"
    config = DEFAULT_CONFIG
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        CONFIG.format(host=node.split()[0].split("=")[1], root=root, node=node, ctld_port=16817, d_port=16818)
    )
    environment = dict(os.environ, SLURM_CONF=str(config))
    pid_files = [root / "munged.pid", root / "slurmctld.pid", root / "slurmd.pid"]
    try:
        subprocess.run(["mungekey", "--create", "--keyfile", str(root / "munge.key")], check=True)
        subprocess.run(
            [
                "munged",
                "--force",
                f"--key-file={root / 'munge.key'}",
                f"--socket={root / 'munge.socket'}",
                f"--pid-file={root / 'munged.pid'}",
                f"--log-file={root / 'munged.log'}",
                f"--seed-file={root / 'munged.seed'}",
            ],
            check=True,
        )
        subprocess.run(["slurmctld", "-f", str(config)], check=True, env=environment)
        _wait(lambda: "UP" in _output(["scontrol", "ping"], environment), "slurmctld to answer", root)
        subprocess.run(["slurmd", "-f", str(config)], check=True, env=environment)
        _wait(lambda: _output(["sinfo", "-h", "-o", "%T"], environment).strip() == "idle", "the node to be idle", root)
        yield environment
    finally:
        for pid_file in reversed(pid_files):
            _stop(pid_file)
        config.unlink(missing_ok=True)


def _output(command: list[str], environment: dict) -> str:
    return subprocess.run(command, capture_output=True, text=True, env=environment).stdout


def _wait(ready, what: str, root: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in root.glob("*.log"))
            raise RuntimeError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.5)


def _stop(pid_file: Path) -> None:
    """SIGTERM the daemon named in ``pid_file``, then SIGKILL if it lingers."""
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            os.kill(pid, 0)
            time.sleep(0.1)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
