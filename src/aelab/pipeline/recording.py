"""Record results Snakemake produced in DVC, leaving Snakemake with nothing to do.

DVC's commit moves every output into its cache and then links or copies it
back ("relinks"): a single-file output (a processed dataset, a classifier, a
sample grid) comes back as a new file with a new modification time, and
Snakemake, which takes an input newer than its outputs as changed, would then
retrain every variant of a dataset whose file was recorded. So the outputs are
committed without relinking: their content goes into the cache, the files
stay untouched.

A study is run and published one part at a time (``make study STUDY=<id>``),
so only the stages whose jobs have finished are recorded: those whose every
dependency and output exists. That is what a finished job leaves and an
unfinished one never does: both engines delete a job's outputs before running
it, and each stage publishes its outputs atomically, its metrics last. A plain
``dvc commit --force`` would refuse the whole project at the first stage not
run yet.

Of those, only the stages that made their outputs anew are recorded again. A
stage whose outputs are the ones its dvc.lock entry holds did not run since:
on a new machine, a published stage whose outputs git keeps (metrics) has
them all, while its dependencies are this machine's (part of the data, a
shared classifier retrained); recording it again would describe a run that
never happened. Its entry stands. A stage without outputs (``check``) has only
its dependencies to show it ran: it is recorded again when they changed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from aelab.errors import UserError


@dataclass(frozen=True)
class Recorded:
    """What one ``record`` did: the stages committed, the stages left out (a dependency or output is not here: not
    run yet, or run on another machine) and the finished stages whose recorded outputs stand (not run again)."""

    stages: list[str]
    not_run: list[str]
    standing: list[str]


def is_finished(stage) -> bool:
    """Every dependency and output of the DVC stage exists."""
    return all(Path(str(item.fs_path)).exists() for item in (*stage.deps, *stage.outs))


def made_anew(stage) -> bool:
    """An output differs from the stage's dvc.lock entry, or has no recorded hash: the stage ran since it was
    recorded. A stage without outputs, ``check``, ran since when a dependency differs: DVC runs it when
    params.yaml or the config code changes, and Snakemake makes the same checks every time it starts."""
    if not stage.outs:
        return stage.changed_deps()
    return any(out.workspace_status() for out in stage.outs)


def commit_finished(repo) -> Recorded:
    """DVC's own commit (``dvc/repo/commit.py``: save, commit, dump) of the finished stages, without relinking,
    writing each lock file once.

    ``dvc commit`` writes dvc.lock once per target and parses the whole file again each time (a round-trip YAML
    parse of ~150 lines per stage), so recording a study stage by stage took time quadratic in its stages: more
    than 12 minutes for 90 of them, against about a minute written once.
    """
    from dvc.repo import lock_repo

    with lock_repo(repo):
        stages = list(repo.index.stages)
        finished = [stage for stage in stages if is_finished(stage)]
        anew = [stage for stage in finished if made_anew(stage)]
        by_file = defaultdict(list)
        for stage in anew:
            stage.save()
            stage.commit(relink=False)
            by_file[stage.dvcfile.path].append(stage)
        for group in by_file.values():
            group[0].dvcfile.dump_stages(group, update_pipeline=False)

    recorded = [stage.addressing for stage in anew]
    finished_names = {stage.addressing for stage in finished}
    not_run = sorted({stage.addressing for stage in stages} - finished_names)
    return Recorded(recorded, not_run, sorted(finished_names - set(recorded)))


def record(project: Path = Path(".")) -> Recorded:
    """The finished stages committed to DVC as ``dvc commit --force --no-relink`` does, in one write."""
    from dvc.exceptions import DvcException
    from dvc.repo import Repo

    logging.getLogger("dvc").setLevel(logging.WARNING)  # "Updating lock file": this command says what it recorded
    try:
        with Repo(str(project)) as repo:
            return commit_finished(repo)
    except DvcException as error:  # a damaged dvc.yaml or dvc.lock, a missing cache: DVC's own words, no traceback
        raise UserError(
            f"DVC cannot record this project's pipeline in {project.resolve()}: {error}. If dvc.lock is damaged, "
            "restore it from git (git checkout -- dvc.lock) or fix it, then record again."
        ) from None
