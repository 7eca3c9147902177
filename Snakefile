# aelab: the autoencoder study as a Snakemake workflow.
# Every rule runs `python -m aelab <stage> ...`; every path comes from aelab.paths.
from snakemake.utils import min_version, validate

from aelab import paths
from aelab.config import load_params

min_version("9.0")

configfile: "params.yaml"


# Snakemake's own check (JSON schema, generated from the typed params), then the
# typed load, which also checks cross-references such as a variant's dataset.
validate(config, "workflow/schemas/params.schema.json")
PARAMS = load_params("params.yaml")
DATASETS = list(PARAMS.datasets)
VARIANTS = list(PARAMS.variants)


wildcard_constraints:
    dataset="|".join(DATASETS),
    variant="|".join(VARIANTS),


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        rules.report.output.html,
