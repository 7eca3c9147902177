# Datasets, one rule per kind: fetch and verify, then one array file per dataset
# (plus its manifest and sample grid, shown in the report).


rule download:
    output:
        raw=directory(paths.raw_dir("{dataset}")),
    log:
        "logs/download/{dataset}.log",
    wildcard_constraints:
        dataset=one_of(DATASETS.idx),
    params:
        code=code_of("download"),
    shell:
        "python -m aelab download {wildcards.dataset} 2> {log}"


rule preprocess:
    input:
        raw=rules.download.output.raw,
    output:
        **processed("{dataset}"),
    log:
        "logs/preprocess/{dataset}.log",
    wildcard_constraints:
        dataset=one_of(DATASETS.idx),
    params:
        code=code_of("preprocess"),
        settings=settings_of("preprocess", "dataset"),
    shell:
        "python -m aelab preprocess {wildcards.dataset} 2> {log}"


rule colourise:
    input:
        source=lambda wildcards: paths.processed_file(DATASETS.cmnist[wildcards.dataset].source),
    output:
        **processed("{dataset}"),
    log:
        "logs/colourise/{dataset}.log",
    wildcard_constraints:
        dataset=one_of(DATASETS.cmnist),
    params:
        code=code_of("colourise"),
        settings=settings_of("colourise", "dataset"),
    shell:
        "python -m aelab colourise {wildcards.dataset} 2> {log}"


rule pool_cmnist:
    input:
        source=lambda wildcards: paths.processed_file(DATASETS.pool_source(wildcards.dataset)),
    output:
        **processed("{dataset}"),
    log:
        "logs/pool_cmnist/{dataset}.log",
    wildcard_constraints:
        dataset=one_of(DATASETS.cmnist_pooled),
    params:
        code=code_of("pool_cmnist"),
        # The levels are generated again from their settings: a change to any of them reruns the pool.
        settings=settings_of("pool_cmnist", "dataset"),
    shell:
        "python -m aelab pool_cmnist {wildcards.dataset} 2> {log}"


rule download_coco:
    output:
        images=directory(paths.coco_raw_dir("{image_set}")),
    log:
        "logs/download_coco/{image_set}.log",
    wildcard_constraints:
        image_set=one_of(DATASETS.coco_image_sets),
    params:
        code=code_of("download_coco"),
    shell:
        "python -m aelab download_coco {wildcards.image_set} 2> {log}"


rule preprocess_coco:
    input:
        images=lambda wildcards: [paths.coco_raw_dir(s) for s in DATASETS.coco[wildcards.dataset].image_sets],
    output:
        **processed("{dataset}"),
    log:
        "logs/preprocess_coco/{dataset}.log",
    wildcard_constraints:
        dataset=one_of(DATASETS.coco),
    threads: 2
    params:
        code=code_of("preprocess_coco"),
        settings=settings_of("preprocess_coco", "dataset"),
    shell:
        "python -m aelab preprocess_coco {wildcards.dataset} --threads {threads} 2> {log}"
