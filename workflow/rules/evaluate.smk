# Evaluation: one job per (task, variant) that params.yaml selects (evaluation.<task>.variants;
# reconstruction runs for every variant). Each writes a flat metrics JSON and its figures.
# Sample quality reads the classifier the pipeline trains on the variant's dataset, always on one thread (as its DVC
# stage): it is every study's yardstick, and one built on two threads rounds differently.


rule train_classifier:
    input:
        data=paths.processed_file("{dataset}"),
    output:
        model=paths.classifier_model("{dataset}"),
        metrics=paths.classifier_metrics("{dataset}"),
    log:
        "logs/train_classifier/{dataset}.log",
    wildcard_constraints:
        dataset=one_of(PARAMS.evaluation.sample_quality.classifier.datasets),
    threads: 1
    resources:
        gpu=1,
    params:
        code=code_of("train_classifier"),
        settings=settings_of("train_classifier", "dataset"),
    shell:
        "python -m aelab train_classifier {wildcards.dataset} --threads {threads} 2> {log}"


rule evaluate:
    input:
        unpack(task_inputs),
    output:
        metrics=paths.task_metrics("{variant}", "{task}"),
        figures=report(
            directory(paths.task_figures("{variant}", "{task}")),
            patterns=["{name}_seed{seed}.png"],
            caption="../report/figure.rst",
            category="{task}",
            subcategory="{variant}",
            labels={"variant": "{variant}", "figure": "{name}", "seed": "{seed}"},
        ),
    log:
        "logs/evaluate/{task}/{variant}.log",
    threads: THREADS
    params:
        code=lambda wildcards: code_of(wildcards.task),
        settings=task_settings,
    shell:
        "python -m aelab evaluate {wildcards.task} {wildcards.variant} --threads {threads} 2> {log}"
