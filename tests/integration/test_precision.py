"""Float32 is the study's precision on every device; bf16 autocast is an opt-in that every record names."""

import json

import pandas as pd
import pytest
import torch

from aelab import paths, site
from aelab.errors import UserError
from aelab.training.stage import train_variant

CPU = torch.device("cpu")


def trained(params, variant: str, monkeypatch, precision: str | None) -> tuple[pd.DataFrame, dict]:
    if precision is None:
        monkeypatch.delenv(site.PRECISION_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(site.PRECISION_VARIABLE, precision)
    train_variant(params, variant, CPU)
    history = pd.read_csv(paths.history(variant, 0)).drop(columns="seconds")
    return history, json.loads(paths.train_metrics(variant).read_text())


def test_the_default_is_float32_and_bf16_is_an_opt_in_the_records_name(tiny_project, monkeypatch):
    default, default_record = trained(tiny_project, "vae-baseline", monkeypatch, None)
    explicit, _ = trained(tiny_project, "vae-baseline", monkeypatch, "fp32")
    bf16, bf16_record = trained(tiny_project, "vae-baseline", monkeypatch, "bf16")
    pd.testing.assert_frame_equal(default, explicit, check_exact=True)
    assert default_record["precision"] == "float32" and "tf32" not in default_record  # a CPU has no TF32
    assert default_record["cpu_threads"] == torch.get_num_threads() == site.threads()  # tests run as stages do
    assert bf16_record["precision"] == "bfloat16 autocast"
    assert not default["train_loss"].equals(bf16["train_loss"])  # another rounding, other numbers


class Interrupted(Exception):
    """Stands for a kill right after an epoch's resume state was saved."""


def interrupted_after_one_epoch(params, variant: str, monkeypatch) -> None:
    from aelab.training import engine

    real_save = engine.save_state

    def save_then_stop(*args):
        real_save(*args)
        raise Interrupted

    with monkeypatch.context() as patch:
        patch.setattr(engine, "save_state", save_then_stop)
        with pytest.raises(Interrupted):
            train_variant(params, variant, CPU)
    assert paths.training_state(variant, 0).exists()


def test_a_run_never_resumes_in_another_precision(tiny_project, monkeypatch, caplog):
    clean, _ = trained(tiny_project, "vae-baseline", monkeypatch, "fp32")
    monkeypatch.setenv(site.PRECISION_VARIABLE, "bf16")
    interrupted_after_one_epoch(tiny_project, "vae-baseline", monkeypatch)
    with caplog.at_level("WARNING"):
        resumed, _ = trained(tiny_project, "vae-baseline", monkeypatch, "fp32")
    assert "belongs to another configuration" in caplog.text
    pd.testing.assert_frame_equal(resumed, clean, check_exact=True)  # started afresh in float32


def test_an_unknown_precision_is_refused_naming_the_variable(monkeypatch):
    monkeypatch.setenv(site.PRECISION_VARIABLE, "fp16")
    with pytest.raises(UserError, match=r"\$AELAB_PRECISION='fp16' is not one of fp32, bf16"):
        site.precision()


@pytest.mark.gpu
def test_a_gpu_run_trains_in_float32_with_tf32_off_and_says_so(tiny_project, monkeypatch):
    monkeypatch.delenv(site.PRECISION_VARIABLE, raising=False)
    site.use_ieee_float32()
    summary = train_variant(tiny_project, "vae-baseline", torch.device("cuda"))
    assert summary["precision"] == "float32" and summary["tf32"] is False
    assert json.loads(paths.train_metrics("vae-baseline").read_text())["tf32"] is False
