# The self-contained HTML report of every variant in params.yaml.


rule report:
    input:
        metrics=expand(rules.evaluate.output.metrics, variant=VARIANTS),
        figures=expand(rules.evaluate.output.figures, variant=VARIANTS),
        cost=expand(rules.train.output.cost, variant=VARIANTS),
        manifests=[paths.dataset_manifest(dataset) for dataset in DATASETS.ids],
        samples=[paths.dataset_samples(dataset) for dataset in DATASETS.ids],
    output:
        html=paths.report_html(),
    log:
        "logs/report.log",
    shell:
        "python -m aelab report 2> {log}"
