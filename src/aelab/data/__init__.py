"""Datasets: fetch (official URLs or a local mirror), verify, preprocess, load."""

CLASSES = 10
"""Every labelled dataset of the study (MNIST, Fashion-MNIST, CMNIST) has ten classes (and CMNIST ten colours)."""
