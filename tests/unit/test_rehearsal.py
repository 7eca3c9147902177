"""The scale rehearsal: the full study with every epoch count capped, nothing else changed."""

from aelab.config.loading import load_params, read_yaml
from aelab.pipeline.rehearsal import capped_params, rehearsal_yaml
from tests.conftest import ROOT


def test_every_epoch_count_is_capped_and_everything_else_kept(tmp_path):
    raw = read_yaml(ROOT / "params.yaml")
    (tmp_path / "params.yaml").write_text(rehearsal_yaml(raw, 1))
    study, rehearsal = load_params(ROOT / "params.yaml"), load_params(tmp_path / "params.yaml")
    assert {v: rehearsal.training_for(v).epochs for v in rehearsal.variants} == dict.fromkeys(study.variants, 1)
    assert rehearsal.crossval_training_for("vae-reg-none").epochs == 1
    assert rehearsal.evaluation.sample_quality.classifier.training.epochs == 1
    assert {v: rehearsal.seeds_for(v) for v in rehearsal.variants} == {v: study.seeds_for(v) for v in study.variants}
    assert rehearsal.datasets == study.datasets and rehearsal.studies == study.studies
    assert capped_params(raw, 100) == raw  # a cap above every count changes nothing
