"""One benchmark job: a study variant (or a sample-quality classifier) training on synthetic images.

The benchmarks build their models and data here, and run this file as a job
of its own process when they measure jobs side by side: with --seconds it
trains that long after a warm-up epoch and prints its images/s; without, it
trains until killed (a neighbour that keeps its cores busy). Images are
synthetic (uniform in [0, 1]): throughput does not depend on content.

    python benchmarks/workload.py vae-baseline --threads 1 [--seconds 20] [--precision bf16]
    python benchmarks/workload.py classifier:mnist --threads 1
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from aelab import site
from aelab.classifier.model import SampleClassifier
from aelab.config.loading import load_params
from aelab.config.training import TrainingConfig
from aelab.data.loading import Split
from aelab.models.registry import build_model
from aelab.training.engine import adam, train_epoch

SETTINGS = TrainingConfig(epochs=1, batch_size=128, learning_rate=1e-3, adam_eps=1e-7)
CLASSIFIER = "classifier:"
"""A workload named ``classifier:<dataset>`` is that dataset's sample-quality classifier."""


IDX_TRAIN_IMAGES = 60_000
"""MNIST's and Fashion-MNIST's training split."""


def train_images(datasets, dataset: str) -> int:
    """Training images of a dataset, from its settings (the study's are all known before anything runs)."""
    config = datasets.dataset(dataset)
    if dataset in datasets.idx:
        return config.train_images or IDX_TRAIN_IMAGES
    if dataset in datasets.cmnist:
        return round((train_images(datasets, config.source) - config.validation_images) * config.train_fraction)
    if dataset in datasets.cmnist_pooled:
        return round(sum(train_images(datasets, level) for level in config.levels) * config.fraction)
    return round((config.max_images or 5_000) * (1 - config.test_fraction))


def model_and_data(model, shape, images: int):
    model = model.to(memory_format=model.memory_format)
    data = Split(torch.rand(images, *shape), torch.randint(0, 10, (images,))).to(memory_format=model.memory_format)
    return model, data


def build(params, workload: str, images: int):
    """The workload's freshly seeded model and synthetic training split."""
    torch.manual_seed(0)
    if workload.startswith(CLASSIFIER):
        shape = params.datasets.image_shape(workload.removeprefix(CLASSIFIER))
        return model_and_data(SampleClassifier(shape), shape, images)
    variant = params.variant(workload)
    shape = params.datasets.image_shape(variant.dataset)
    return model_and_data(build_model(variant.model, shape), shape, images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", help="a variant id, or classifier:<dataset>")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--seconds", type=float, help="train this long and print images/s (default: until killed)")
    parser.add_argument("--precision", choices=tuple(site.PRECISIONS), default="fp32")
    parser.add_argument("--images", type=int, default=1_280, help="images per epoch (default: %(default)s)")
    parser.add_argument("--params", default="params.yaml")
    args = parser.parse_args()
    site.keep_freed_memory()  # as every stage run does
    torch.set_num_threads(args.threads)
    model, data = build(load_params(args.params), args.workload, args.images)
    optimizer, order, bf16 = adam(model, SETTINGS), torch.Generator().manual_seed(0), args.precision == "bf16"
    train_epoch(model, data, optimizer, SETTINGS, order, bf16)  # warm-up: allocator, oneDNN's kernel choice
    started, images = time.perf_counter(), 0
    while args.seconds is None or time.perf_counter() - started < args.seconds:
        train_epoch(model, data, optimizer, SETTINGS, order, bf16)
        images += len(data)
    print(json.dumps(images / (time.perf_counter() - started)))


if __name__ == "__main__":
    main()
