# Training: one job per variant (all its seeds), on the device the site chooses ($AELAB_DEVICE).
# An interrupted job resumes from its last completed epoch when rerun (state/ survives both engines).


rule train:
    input:
        data=dataset_of,
    output:
        checkpoints=directory(paths.checkpoints_dir("{variant}")),
        history=directory(paths.history_dir("{variant}")),
        cost=paths.train_metrics("{variant}"),
    log:
        "logs/train/{variant}.log",
    threads: THREADS
    resources:
        # Locally a scheduling token: unconstrained unless `--resources gpu=N` is given,
        # then at most N training jobs share the GPUs. On SLURM a request for one GPU.
        gpu=1,
        # The data live in memory as float32 (~20x the compressed file) plus the model.
        mem_mb=lambda wildcards, input: 2000 + 20 * input.size_mb,
        # Minutes: generous for a GPU, where an MNIST epoch takes seconds.
        runtime=lambda wildcards: 10
        + 2 * PARAMS.training_for(wildcards.variant).epochs * len(PARAMS.seeds_for(wildcards.variant)),
    params:
        code=code_of("train"),
        settings=settings_of("train", "variant"),
    shell:
        "python -m aelab train {wildcards.variant} --threads {threads} 2> {log}"


rule crossvalidate:
    input:
        data=dataset_of,
    output:
        metrics=paths.crossval_metrics("{variant}"),
    log:
        "logs/crossvalidate/{variant}.log",
    threads: THREADS
    resources:
        gpu=1,
        mem_mb=lambda wildcards, input: 2000 + 20 * input.size_mb,
        runtime=lambda wildcards: 10
        + 2 * PARAMS.crossval_training_for(wildcards.variant).epochs * PARAMS.evaluation.crossval.folds,
    params:
        code=code_of("crossvalidate"),
        settings=settings_of("crossvalidate", "variant"),
    shell:
        "python -m aelab crossvalidate {wildcards.variant} --threads {threads} 2> {log}"


rule devices:
    input:
        data=dataset_of,
    output:
        metrics=paths.devices_metrics("{variant}"),
        history=directory(paths.devices_history_dir("{variant}")),
        figures=directory(paths.devices_figures("{variant}")),
    log:
        "logs/devices/{variant}.log",
    wildcard_constraints:
        variant=one_of(PARAMS.evaluation.devices.variants),
    threads: THREADS
    resources:
        gpu=1,
        mem_mb=lambda wildcards, input: 2000 + 20 * input.size_mb,
        runtime=lambda wildcards: 10 + 4 * PARAMS.training_for(wildcards.variant).epochs,
    params:
        code=code_of("devices"),
        settings=settings_of("devices", "variant"),
    shell:
        # The devices are the stage's argument: a machine without a GPU compares the CPU alone.
        "python -m aelab devices {wildcards.variant} --devices cpu cuda --threads {threads} 2> {log}"
