"""k-fold cross-validation: every fold trained and scored, summarised over folds, reproducible."""

import json
import shutil
import statistics

import pytest
import torch

from aelab import paths
from aelab.config import ParamsError, load_params
from aelab.training.crossval import crossvalidate_variant
from tests.conftest import SMOKE_PARAMS

CPU = torch.device("cpu")


@pytest.fixture
def params(tiny_mnist, monkeypatch):
    monkeypatch.chdir(tiny_mnist)
    shutil.copy(SMOKE_PARAMS, "params.yaml")
    return load_params("params.yaml")


def test_crossval_reports_mean_and_std_over_its_folds(params):
    metrics = crossvalidate_variant(params, "vae-baseline", CPU)
    folds = params.evaluation.crossval.folds
    losses = [metrics[f"fold{fold}_loss"] for fold in range(folds)]
    assert metrics["folds"] == folds and metrics["epochs"] == params.evaluation.crossval.epochs
    assert metrics["loss"] == pytest.approx(statistics.fmean(losses))
    assert metrics["loss_std"] == pytest.approx(statistics.stdev(losses))
    assert metrics["loss"] == pytest.approx(metrics["recon"] + metrics["kl"])  # every term is scored
    assert json.loads(paths.crossval_metrics("vae-baseline").read_text()) == pytest.approx(metrics)
    assert not list(paths.crossval_state("vae-baseline", 0).parent.glob("*.pt"))  # states dropped when done


def test_crossval_is_reproducible(params):
    first = crossvalidate_variant(params, "mlp-denoise", CPU)
    assert crossvalidate_variant(params, "mlp-denoise", CPU) == first


def test_crossval_of_an_unlisted_variant_is_refused(params):
    with pytest.raises(ParamsError, match="evaluation.crossval.variants in params.yaml does not list 'ae-baseline'"):
        crossvalidate_variant(params, "ae-baseline", CPU)
