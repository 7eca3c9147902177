# Evaluation: one job per (task, variant) that params.yaml selects (evaluation.<task>.variants;
# reconstruction runs for every variant). Each writes a flat metrics JSON and its figures.
# Sample quality reads the classifier the pipeline trains on the variant's dataset.


rule train_classifier:
    input:
        data=paths.processed_file("{dataset}"),
    output:
        model=paths.classifier_model("{dataset}"),
        metrics=paths.classifier_metrics("{dataset}"),
    params:
        settings=lambda wildcards: PARAMS.evaluation.sample_quality.classifier.model_dump_json(exclude={"datasets"}),
    wildcard_constraints:
        dataset=one_of(PARAMS.evaluation.sample_quality.classifier.datasets),
    threads: 2
    resources:
        gpu=1,
    log:
        "logs/train_classifier/{dataset}.log",
    shell:
        "python -m aelab train_classifier {wildcards.dataset} --threads {threads} 2> {log}"


def task_inputs(wildcards):
    """The variant's trained models, plus what some tasks read besides (another dataset, a classifier)."""
    inputs = {"checkpoints": paths.checkpoints_dir(wildcards.variant)}
    if wildcards.task == "reconstruction":
        inputs["history"] = paths.history_dir(wildcards.variant)
    if wildcards.task == "anomaly":
        inputs["anomalies"] = paths.processed_file(PARAMS.evaluation.anomaly.dataset)
    if wildcards.task == "sample_quality":
        inputs["classifier"] = paths.classifier_model(PARAMS.variant(wildcards.variant).dataset)
    return inputs


def task_settings(wildcards):
    """The task's own settings (not its variant list) and the seeds: a change reruns the task."""
    settings = PARAMS.evaluation.task(wildcards.task).model_dump_json(exclude={"variants"})
    return f"{settings} {PARAMS.evaluation.batch_size} {PARAMS.seeds_for(wildcards.variant)}"


rule evaluate:
    input:
        unpack(task_inputs),
    output:
        metrics=paths.task_metrics("{variant}", "{task}"),
        figures=report(
            directory(paths.task_figures("{variant}", "{task}")),
            patterns=["{name}.png"],
            caption="../report/figure.rst",
            category="{task}",
            subcategory="{variant}",
            labels={"variant": "{variant}", "figure": "{name}"},
        ),
    params:
        settings=task_settings,
    threads: 2
    log:
        "logs/evaluate/{task}/{variant}.log",
    shell:
        "python -m aelab evaluate {wildcards.task} {wildcards.variant} --threads {threads} 2> {log}"
