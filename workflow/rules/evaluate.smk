# Evaluation: one job per (task, variant) that params.yaml selects (evaluation.<task>.variants;
# reconstruction runs for every variant). Each writes a flat metrics JSON and its figures.


def task_inputs(wildcards):
    """The variant's trained models, plus the other dataset that anomaly detection scores."""
    inputs = {"checkpoints": paths.checkpoints_dir(wildcards.variant)}
    if wildcards.task == "reconstruction":
        inputs["history"] = paths.history_dir(wildcards.variant)
    if wildcards.task == "anomaly":
        inputs["anomalies"] = paths.processed_file(PARAMS.evaluation.anomaly.dataset)
    return inputs


def task_settings(wildcards):
    """The task's own settings (not its variant list) and the seeds: a change reruns the task."""
    settings = PARAMS.evaluation.task(wildcards.task).model_dump_json(exclude={"variants"})
    return f"{settings} {PARAMS.evaluation.batch_size} {PARAMS.seeds}"


rule evaluate:
    input:
        unpack(task_inputs),
    output:
        metrics=paths.task_metrics("{variant}", "{task}"),
        figures=directory(paths.task_figures("{variant}", "{task}")),
    params:
        settings=task_settings,
    threads: 2
    log:
        "logs/evaluate/{task}/{variant}.log",
    shell:
        "python -m aelab evaluate {wildcards.task} {wildcards.variant} --threads {threads} 2> {log}"
