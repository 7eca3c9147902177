# Evaluation: test-set reconstruction metrics and the figures of each variant.


rule evaluate:
    input:
        data=dataset_of,
        checkpoints=rules.train.output.checkpoints,
        history=rules.train.output.history,
    output:
        metrics=paths.eval_metrics("{variant}"),
        figures=directory(paths.figures_dir("{variant}")),
    params:
        settings=PARAMS.evaluation.model_dump_json() + str(PARAMS.seeds),
    threads: 2
    log:
        "logs/evaluate/{variant}.log",
    shell:
        "python -m aelab evaluate {wildcards.variant} --threads {threads} 2> {log}"
