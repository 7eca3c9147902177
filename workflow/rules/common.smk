# Shared by every file of rules: the study's params, checked, and the helpers that build inputs and params.


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
    PARAMS = load_params(paths.PARAMS)
    site.check_settings()  # once, before any job: a bad $AELAB_DEVICE must not cost every job its outputs
except UserError as error:
    raise WorkflowError(str(error)) from None
# set_default=False: filling defaults would walk every branch of the model union.
validate(read_yaml(paths.PARAMS), "../schemas/params.schema.json", set_default=False)
# `snakemake --report` renders workflow/report/figure.rst for every figure; the captions it
# looks up are the HTML report's (one text per figure, aelab.report.captions).
config["figure_captions"] = {f"{task}/{name}": caption for (task, name), caption in FIGURE_CAPTIONS.items()}
DATASETS = PARAMS.datasets
VARIANTS = list(PARAMS.variants)
EVALUATIONS = [(task, variant) for task in EVALUATION_TASKS for variant in PARAMS.task_variants(task)]
THREADS = site.threads()  # threads of every torch job: what DVC's runs of the same stages use


def one_of(names):
    """Wildcard constraint matching exactly these ids (none, if empty)."""
    return "|".join(names) or "(?!)"


# What each stage reads besides its data (aelab.pipeline.stages, the table dvc.yaml is generated from):
# the values at the stage's params keys, and its code (the import closure of its modules), both as
# params, so Snakemake reruns a job on the same changes as DVC reruns the stage.
def settings_of(stage, wildcard=None):
    """Params of a job: the values the stage reads (for the job's subject wildcard)."""
    return lambda wildcards: stages.settings(PARAMS, stage, wildcards[wildcard] if wildcard else "")


def code_of(stage):
    """Params of a job: the digest of the stage's source files (in the repository of this Snakefile, as DVC
    hashes them). Tracked by content, not by path: a study folder moved to another depth reruns nothing."""
    return stages.code_digest(stage, Path(workflow.basedir))


def processed(dataset):
    """The three outputs of every dataset-building job."""
    return {
        "processed": paths.processed_file(dataset),
        "manifest": paths.dataset_manifest(dataset),
        "samples": paths.dataset_samples(dataset),
    }


def dataset_of(wildcards):
    """The processed dataset the variant trains on."""
    return paths.processed_file(PARAMS.variant(wildcards.variant).dataset)


TASK_INPUTS = {
    "reconstruction": lambda variant: {"history": paths.history_dir(variant)},
    "anomaly": lambda variant: {"anomalies": paths.processed_file(PARAMS.evaluation.anomaly.dataset)},
    "sample_quality": lambda variant: {"classifier": paths.classifier_model(PARAMS.variant(variant).dataset)},
}
"""What a task reads besides the variant's models (dvc.yaml: aelab.pipeline.stages.TASK_INPUTS)."""


def task_inputs(wildcards):
    """The variant's trained models and what the task reads besides."""
    extra = TASK_INPUTS.get(wildcards.task, lambda variant: {})(wildcards.variant)
    return {"checkpoints": paths.checkpoints_dir(wildcards.variant)} | extra


def task_settings(wildcards):
    """The values the task reads (its settings, not its variant list; the variant's seeds)."""
    return stages.settings(PARAMS, wildcards.task, wildcards.variant)
