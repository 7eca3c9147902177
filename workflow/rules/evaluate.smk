# Evaluation: test-set reconstruction metrics and the figures of each variant.


rule evaluate:
    input:
        data=dataset_of,
        checkpoint=rules.train.output.checkpoint,
        history=rules.train.output.history,
    output:
        metrics=paths.eval_metrics("{variant}"),
        figures=directory(paths.figures_dir("{variant}")),
    params:
        settings=PARAMS.evaluation.model_dump_json(),
    threads: 2
    log:
        "logs/evaluate/{variant}.log",
    shell:
        "python -m aelab evaluate {wildcards.variant} --threads {threads} 2> {log}"
