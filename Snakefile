# aelab: the autoencoder study as a Snakemake workflow.
# Every rule runs `python -m aelab <stage> ...`; every artefact path is a function of aelab.paths.
from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

from aelab import engines, paths, pipeline, site
from aelab.errors import UserError
from aelab.config import EVALUATION_TASKS, TASKS, ParamsError, load_params, read_yaml
from aelab.report.captions import FIGURE_CAPTIONS

min_version("9.0")


report: "workflow/report/workflow.rst"


# The study is params.yaml in the working directory (`--directory` picks another study folder).
# Every stage reads it itself, so a config given to Snakemake (--configfile, --config) would
# silently not reach them: refuse it. The typed load comes first: it names file, line and key
# (a repeated key, a YAML error) before anything else reads the file.
if config:
    raise WorkflowError(
        "aelab reads its study from params.yaml only; --configfile and --config do not reach its stages. "
        "Edit params.yaml, or keep another study in its own folder: snakemake --directory <folder>."
    )
try:
    PARAMS = load_params("params.yaml")
except ParamsError as error:
    raise WorkflowError(str(error)) from None
# set_default=False: filling defaults would walk every branch of the model union.
validate(read_yaml(paths.PARAMS), "workflow/schemas/params.schema.json", set_default=False)
# `snakemake --report` renders workflow/report/figure.rst for every figure; the captions it
# looks up are the HTML report's (one text per figure, aelab.report.captions).
config["figure_captions"] = {f"{task}/{name}": caption for (task, name), caption in FIGURE_CAPTIONS.items()}
DATASETS = PARAMS.datasets
VARIANTS = list(PARAMS.variants)
EVALUATIONS = [(task, variant) for task in EVALUATION_TASKS for variant in PARAMS.task_variants(task)]
THREADS = site.threads()  # the torch rules' threads: what DVC's runs of the same stages use


def one_of(names):
    """Wildcard constraint matching exactly these ids (none, if empty)."""
    return "|".join(names) or "(?!)"


# What a rule reads besides its data (aelab.pipeline, the table dvc.yaml follows too): its params are
# the values at the stage's keys, its code inputs the stage's source files, so Snakemake reruns a
# job on the same changes as DVC reruns the stage.
def settings_of(stage, wildcard=None):
    """A rule param: the values the stage reads (for the job's subject wildcard)."""
    return lambda wildcards: pipeline.settings(PARAMS, stage, wildcards[wildcard] if wildcard else "")


def code_of(stage):
    """A rule input: the stage's source files."""
    return pipeline.code_files(stage)


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


onstart:
    # Held until Snakemake exits: `dvc repro` cannot delete outputs under a running job.
    try:
        DVC_LOCK = engines.hold_dvc_lock()
    except UserError as error:
        raise WorkflowError(str(error)) from None


onerror:
    # A failed job (with --keep-going, after everything else finished): the report of what exists,
    # naming each failed stage and its error (logs/failures/), instead of none.
    shell("python -m aelab report 2> logs/report.log || true")
