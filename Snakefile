# aelab: the autoencoder study as a Snakemake workflow.
# Every rule runs `python -m aelab <stage> ...`; every artefact path is a function of aelab.paths
# (the log files beside them are Snakemake's own bookkeeping, named in the rules).
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

from aelab import paths, site
from aelab.pipeline import lock, stages
from aelab.errors import UserError
from aelab.config.tasks import EVALUATION_TASKS
from aelab.config.loading import load_params, read_yaml
from aelab.report.captions import FIGURE_CAPTIONS

min_version("9.0")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


wildcard_constraints:
    variant=one_of(VARIANTS),
    task=one_of(EVALUATION_TASKS),


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        rules.report.output.report,


ENGINE_LOCK = []
"""DVC's project lock while this Snakemake runs (a module-level list: the handle must outlive onstart)."""


onstart:
    # Held until Snakemake exits: `dvc repro` cannot delete outputs under a running job.
    try:
        ENGINE_LOCK.append(lock.hold_dvc_lock())
    except UserError as error:
        raise WorkflowError(str(error)) from None


onerror:
    # A failed job (with --keep-going, after everything else finished): the report of what exists,
    # naming each failed stage and its error (logs/failures/), instead of none.
    shell("python -m aelab report 2> logs/report.log || true")
