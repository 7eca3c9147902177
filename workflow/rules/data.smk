# Datasets: fetch and verify the published files, then one array file per dataset.


rule download:
    output:
        raw=directory(paths.raw_dir("{dataset}")),
    log:
        "logs/download/{dataset}.log",
    shell:
        "python -m aelab download {wildcards.dataset} 2> {log}"


rule preprocess:
    input:
        raw=rules.download.output.raw,
    output:
        processed=paths.processed_file("{dataset}"),
    log:
        "logs/preprocess/{dataset}.log",
    shell:
        "python -m aelab preprocess {wildcards.dataset} 2> {log}"
