# The self-contained HTML report of every variant in params.yaml.


rule report:
    input:
        metrics=expand(rules.evaluate.output.metrics, variant=VARIANTS),
        figures=expand(rules.evaluate.output.figures, variant=VARIANTS),
        cost=expand(rules.train.output.cost, variant=VARIANTS),
    output:
        html=paths.report_html(),
    log:
        "logs/report.log",
    shell:
        "python -m aelab report 2> {log}"
