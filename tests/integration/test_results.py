"""docs/results.md is generated from the committed metrics: the same metrics give the same page."""

import re

import pytest
import torch
import yaml

from aelab import paths
from aelab.config.loading import load_params
from aelab.evaluation.stage import evaluate_variant
from aelab.evaluation.tasks import task
from aelab.io import write_json
from aelab.report.devices import FIGURES as DEVICE_FIGURES
from aelab.report.results import RESULTS_FILE, results_markdown
from aelab.report.studies import STUDY_PAGES
from aelab.training.stage import train_variant
from tests.conftest import ROOT, SMOKE_PARAMS, write_tiny_mnist

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """Two variants of the smoke study, trained and scored by the one task these tests run: params.yaml selects no
    other (a variant is shown once every run of it has written its metrics)."""
    root = write_tiny_mnist(tmp_path_factory.mktemp("results"))
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    for settings in raw["evaluation"].values():
        if isinstance(settings, dict) and "variants" in settings:
            settings["variants"] = []
    (root / "params.yaml").write_text(yaml.safe_dump(raw, sort_keys=False))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        params = load_params("params.yaml")
        for variant in ("vae-baseline", "ae-baseline"):
            train_variant(params, variant, CPU)
            evaluate_variant(params, "reconstruction", variant, CPU)
        yield root, params


def test_the_page_is_a_function_of_the_metrics(study, monkeypatch):
    root, params = study
    monkeypatch.chdir(root)
    page = results_markdown(params)
    assert page == results_markdown(params)
    assert "## Keras-style conv models" in page and "Not run yet: vae-regularised, ae-deep-cmnist." in page
    assert "| vae-baseline | " in page and "| ae-baseline | " in page
    assert re.search(r"## MLP models\n\n\*\*Question\.\*\* How do depth[^\n]+\n\nNot run yet\.\n", page)
    assert "**Data:** —." in page  # no manifest: the preprocess stage did not run here
    write_json(paths.dataset_manifest("mnist"), {"train_images": 96, "test_images": 48})
    assert "**Data:** mnist, 96 training and 48 test images." in results_markdown(params)
    paths.dataset_manifest("mnist").unlink()
    # a study no page declares (the smoke study's conv) gets the headline metrics its variants have
    assert "| variant | final test loss ↓ | BCE (nats/image) ↓ |" in page

    metrics = paths.task_metrics("ae-baseline", "reconstruction")
    metrics.write_text(metrics.read_text().replace('"bce": ', '"bce": 1.0, "unused": '))
    assert results_markdown(params) != page  # a changed metric changes the page


def test_the_committed_page_is_what_the_committed_metrics_give():
    """Regenerate with `python -m aelab results` after a run; a fresh clone gives the same file."""
    committed = ROOT / RESULTS_FILE
    if not committed.exists():
        pytest.skip("no results published yet (docs/results.md is written after the study's run)")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        assert committed.read_text() == results_markdown(load_params("params.yaml"))


def test_every_published_heading_reads_as_words():
    """A metric key the column rules do not know shows as itself (``silhouette_train``): name it in columns.py."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        page = results_markdown(load_params("params.yaml"))
    headings = {
        cell.strip() for line in page.splitlines() if line.startswith("| variant |") for cell in line.split("|")
    }
    assert not {heading for heading in headings if re.fullmatch(r"\w+_\w+", heading)}


def test_every_figure_a_study_shows_is_one_its_runs_draw():
    """A study page's figure of a variant for a task params.yaml does not select for it would never reach the
    page, silently."""
    params = load_params(ROOT / "params.yaml")
    for study_id, study in STUDY_PAGES.items():
        for shown in (shown for shown in study.figures if shown.task != "study"):
            assert shown.variant in params.studies[study_id].variants, (study_id, shown)
            if shown.task == "devices":
                selected, drawn = params.evaluation.devices.variants, DEVICE_FIGURES
            else:
                selected, drawn = params.task_variants(shown.task), task(shown.task).figures
            assert shown.variant in selected, f"{study_id}: {shown}, but params.yaml does not select it"
            assert shown.name in drawn, (study_id, shown)
