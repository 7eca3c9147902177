"""k-fold cross-validation: every fold trained and scored, summarised over folds, reproducible."""

import json
import statistics

import pytest
import torch

from aelab import paths
from aelab.config.base import ParamsError
from aelab.training.crossval import crossvalidate_variant

CPU = torch.device("cpu")


def test_crossval_reports_mean_and_std_over_its_folds(tiny_project):
    metrics = crossvalidate_variant(tiny_project, "vae-baseline", CPU)
    folds = tiny_project.evaluation.crossval.folds
    losses = [metrics[f"fold{fold}_loss"] for fold in range(folds)]
    assert metrics["folds"] == folds and metrics["epochs"] == tiny_project.evaluation.crossval.epochs
    assert metrics["loss"] == pytest.approx(statistics.fmean(losses))
    assert metrics["loss_std"] == pytest.approx(statistics.stdev(losses))
    assert metrics["loss"] == pytest.approx(metrics["recon"] + metrics["kl"])  # every term is scored
    assert json.loads(paths.crossval_metrics("vae-baseline").read_text()) == pytest.approx(metrics)
    assert not list(paths.crossval_state("vae-baseline", 0).parent.glob("*.pt"))  # states dropped when done


def test_crossval_is_reproducible(tiny_project):
    first = crossvalidate_variant(tiny_project, "mlp-denoise", CPU)
    assert crossvalidate_variant(tiny_project, "mlp-denoise", CPU) == first


def test_crossval_of_an_unlisted_variant_is_refused(tiny_project):
    with pytest.raises(ParamsError, match="evaluation.crossval.variants in params.yaml does not list 'ae-baseline'"):
        crossvalidate_variant(tiny_project, "ae-baseline", CPU)
