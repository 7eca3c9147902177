# The self-contained HTML report of every variant in params.yaml.


rule report:
    input:
        metrics=[paths.task_metrics(variant, task) for task, variant in EVALUATIONS],
        figures=[paths.task_figures(variant, task) for task, variant in EVALUATIONS],
        cost=expand(rules.train.output.cost, variant=VARIANTS),
        manifests=[paths.dataset_manifest(dataset) for dataset in DATASETS.ids],
        samples=[paths.dataset_samples(dataset) for dataset in DATASETS.ids],
    output:
        html=paths.report_html(),
    log:
        "logs/report.log",
    shell:
        "python -m aelab report 2> {log}"
