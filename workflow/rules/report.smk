# The study report (results/report/index.html and its figures): a section per study of params.yaml.


rule report:
    input:
        metrics=[paths.task_metrics(variant, task) for task, variant in EVALUATIONS],
        figures=[paths.task_figures(variant, task) for task, variant in EVALUATIONS],
        cost=expand(rules.train.output.cost, variant=VARIANTS),
        histories=expand(rules.train.output.history, variant=VARIANTS),
        crossval=[paths.crossval_metrics(variant) for variant in PARAMS.evaluation.crossval.variants],
        devices=expand(rules.devices.output.metrics, variant=PARAMS.evaluation.devices.variants),
        devices_figures=expand(rules.devices.output.figures, variant=PARAMS.evaluation.devices.variants),
        classifiers=[
            paths.classifier_metrics(dataset) for dataset in PARAMS.evaluation.sample_quality.classifier.datasets
        ],
        manifests=[paths.dataset_manifest(dataset) for dataset in DATASETS.ids],
        samples=[paths.dataset_samples(dataset) for dataset in DATASETS.ids],
    output:
        report=directory(paths.report_dir()),
    log:
        "logs/report.log",
    params:
        code=code_of("report"),
        settings=settings_of("report"),
    shell:
        "python -m aelab report 2> {log}"
