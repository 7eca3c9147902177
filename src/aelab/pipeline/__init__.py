"""The workflow around the science: what each stage reads, the generated dvc.yaml, one engine at a time,
recording Snakemake's results in DVC, the scale rehearsal."""
