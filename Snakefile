# aelab: the autoencoder study as a Snakemake workflow.
# Every rule runs `python -m aelab <stage> ...`; every path comes from aelab.paths.
from snakemake.utils import min_version, validate

from aelab import paths
from aelab.config import EVALUATION_TASKS, load_params
from aelab.report.captions import FIGURE_CAPTIONS

min_version("9.0")

configfile: "params.yaml"

report: "workflow/report/workflow.rst"


# The typed load gives the clearest errors (file, key path, allowed values) and
# checks cross-references; the JSON schema generated from it is Snakemake's own check.
PARAMS = load_params("params.yaml")
# set_default=False: filling defaults would walk every branch of the model union.
validate(config, "workflow/schemas/params.schema.json", set_default=False)
# `snakemake --report` renders workflow/report/figure.rst for every figure; the captions it
# looks up are the HTML report's (one text per figure, aelab.report.captions).
config["figure_captions"] = {f"{task}/{name}": caption for (task, name), caption in FIGURE_CAPTIONS.items()}
DATASETS = PARAMS.datasets
VARIANTS = list(PARAMS.variants)
EVALUATIONS = [(task, variant) for task in EVALUATION_TASKS for variant in PARAMS.task_variants(task)]


def one_of(names):
    """Wildcard constraint matching exactly these ids (none, if empty)."""
    return "|".join(names) or "(?!)"


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
