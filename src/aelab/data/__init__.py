"""Datasets: fetch (official URLs or a local mirror), verify, preprocess, load."""
