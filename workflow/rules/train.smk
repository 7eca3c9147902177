# Training: one job per variant, on the device the site chooses ($AELAB_DEVICE).


def dataset_of(wildcards):
    return paths.processed_file(PARAMS.variant(wildcards.variant).dataset)


rule train:
    input:
        data=dataset_of,
    output:
        checkpoint=paths.checkpoint("{variant}"),
        history=paths.history("{variant}"),
        cost=paths.train_metrics("{variant}"),
    params:
        # Rerun a variant when its own settings (or the study-wide ones) change.
        settings=lambda wildcards: PARAMS.variant(wildcards.variant).model_dump_json()
        + PARAMS.training_for(wildcards.variant).model_dump_json()
        + str(PARAMS.seed),
    threads: 2
    resources:
        # Unconstrained unless the user passes `--resources gpu=N`: then at most N
        # training and evaluation jobs share the GPUs. Harmless on a CPU machine.
        gpu=1,
    log:
        "logs/train/{variant}.log",
    shell:
        "python -m aelab train {wildcards.variant} --threads {threads} 2> {log}"
