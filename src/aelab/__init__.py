"""aelab: reproducible autoencoder studies on Snakemake and DVC."""
