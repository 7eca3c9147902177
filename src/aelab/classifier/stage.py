"""The ``train_classifier`` stage: the sample-quality classifier of one labelled dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aelab import paths
from aelab.classifier.model import SampleClassifier, classifier_identity, save_classifier
from aelab.errors import UserError
from aelab.io import write_json
from aelab.site import bf16_autocast, device_name, precision_record
from aelab.training.engine import fit
from aelab.training.seeding import seed_everything
from aelab.training.stage import TrainingData, fingerprint, precision_name

if TYPE_CHECKING:
    import torch

    from aelab.config.params import Params


def train_classifier(params: Params, dataset: str, device: torch.device) -> dict:
    """Train the classifier of ``dataset``; write its checkpoint and metrics (test accuracy, cost)."""
    config = params.evaluation.sample_quality.classifier
    if dataset not in config.datasets:
        raise UserError(
            f"dataset {dataset!r} is not listed in evaluation.sample_quality.classifier.datasets "
            f"in params.yaml (listed: {', '.join(config.datasets) or 'none'})"
        )
    data = TrainingData(paths.processed_file(dataset), SampleClassifier.memory_format, device)
    train, test = data.split("train"), data.split("test")
    seed_everything(config.seed)
    channels, height, width = train.images.shape[1:]
    model = SampleClassifier((channels, height, width)).to(device)
    bf16 = bf16_autocast()
    run = fingerprint(config.model_dump(), data.digest, precision_name(bf16))
    history = fit(
        model,
        train,
        test,
        config.training,
        config.seed,
        paths.classifier_state(dataset),
        run,
        bf16,
        label=f"classifier {dataset}",
    )

    save_classifier(paths.classifier_model(dataset), model, classifier_identity(config, dataset))
    last = history.iloc[-1]
    metrics = {
        "test_accuracy": 1.0 - float(last["test_error"]),
        "train_accuracy": 1.0 - float(last["train_error"]),
        "test_loss": float(last["test_loss"]),
        "epochs": len(history),
        "seconds_per_epoch": float(history["seconds"].mean()),
        "device": device_name(device),
    } | precision_record(device, bf16)
    write_json(paths.classifier_metrics(dataset), metrics)
    paths.classifier_state(dataset).unlink(missing_ok=True)
    return metrics
