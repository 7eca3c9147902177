"""The study report: tables equal the metrics JSON, mean ± std over seeds, only what ran is shown."""

import json
import re
import shutil
import statistics
import xml.etree.ElementTree as ElementTree

import pandas as pd
import pytest
import torch

from aelab import paths
from aelab.config import load_params
from aelab.evaluation.stage import evaluate_variant
from aelab.report.build import build_report
from aelab.training.stage import train_variant
from tests.conftest import SMOKE_PARAMS, with_seeds, write_tiny_mnist

CPU = torch.device("cpu")
TRAINED = ("vae-baseline", "ae-baseline")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Two variants of the smoke 'conv' study trained with two seeds and scored; the rest never ran."""
    root = write_tiny_mnist(tmp_path_factory.mktemp("report"))
    shutil.copy(SMOKE_PARAMS, root / "params.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        params = with_seeds(load_params("params.yaml"), [0, 1])
        for variant in TRAINED:
            train_variant(params, variant, CPU)
            evaluate_variant(params, "reconstruction", variant, CPU)
        evaluate_variant(params, "generation", "vae-baseline", CPU)
        html = build_report(params, root / "params.yaml").read_text()
    return root, params, html


def section(html: str, study_id: str) -> str:
    match = re.search(rf'<section class="study" id="study-{study_id}">(.*?)</section>', html, re.S)
    assert match, f"no section for study {study_id}"
    return match.group(1)


def table_element(html: str, heading_id: str) -> ElementTree.Element:
    start = html.index(f'id="{heading_id}"')
    return ElementTree.fromstring(re.search(r"<table.*?</table>", html[start:], re.S).group(0))


def table_after(html: str, heading_id: str) -> dict[str, dict[str, str]]:
    """The table that follows the heading ``heading_id``, as {row label: {metric key: cell text}}."""
    table = table_element(html, heading_id)
    keys = [cell.get("title") for cell in table.find("thead").find("tr")][1:]
    rows = {}
    for row in table.find("tbody"):
        cells = [cell.text or "" for cell in row]
        rows[cells[0]] = dict(zip(keys, cells[1:], strict=True))
    return rows


def test_metric_tables_equal_the_metrics_json(report):
    root, _, html = report
    rows = table_after(section(html, "conv"), "conv-reconstruction")
    assert set(rows) == set(TRAINED)
    for variant in TRAINED:
        stored = json.loads((root / paths.task_metrics(variant, "reconstruction")).read_text())
        stored |= json.loads((root / paths.train_metrics(variant)).read_text())
        for column, cell in rows[variant].items():
            if column == "device":
                assert cell == stored["device"]
                continue
            mean, _, spread = cell.partition(" ± ")
            assert float(mean) == pytest.approx(stored[column], rel=5e-4), (variant, column)
            assert float(spread) == pytest.approx(stored[f"{column}_std"], rel=5e-2), (variant, column)


def test_mean_and_std_over_seeds_come_from_each_seeds_run(report):
    root, params, html = report
    rows = table_after(section(html, "conv"), "conv-reconstruction")
    for variant in TRAINED:
        finals = [
            pd.read_csv(root / paths.history(variant, seed))["test_loss"].iloc[-1] for seed in params.seeds_for(variant)
        ]
        assert finals[0] != finals[1]  # two seeds, two runs
        assert rows[variant]["final_test_loss"] == f"{statistics.fmean(finals):.4g} ± {statistics.stdev(finals):.2g}"


def test_only_what_ran_is_shown_and_every_image_exists(report):
    root, _, html = report
    conv = section(html, "conv")
    assert "Not run yet: vae-regularised, ae-deep-cmnist." in conv
    assert 'id="conv-generation"' in conv and 'id="conv-latent"' not in conv  # a task table only with rows
    assert 'id="study-mlp"' not in html and 'id="study-coco"' not in html  # nothing of theirs ran
    assert 'id="datasets"' not in html and 'id="classifiers"' not in html  # no manifests, no classifiers here
    images = re.findall(r'<img src="([^"]+)"', html)
    assert "figures/studies/conv.png" in images
    assert "figures/vae-baseline/generation/samples.png" in images
    for image in images:
        assert (root / paths.report_dir() / image).is_file(), image


def test_headings_are_words_with_units_and_direction_and_the_best_value_is_marked(report):
    _, _, html = report
    table = table_element(section(html, "conv"), "conv-reconstruction")
    headings = {cell.get("title"): cell.text for cell in table.find("thead").find("tr")}
    assert headings["bce"] == "BCE (nats/image) ↓" and headings["psnr"] == "PSNR (dB) ↑"
    assert headings["r2_uniform"] == "R² (uniform over pixels) ↑" and headings["device"] == "device"
    keys = [cell.get("title") for cell in table.find("thead").find("tr")][1:]
    rows = list(table.find("tbody"))
    for column, key in enumerate(keys, start=1):
        marked = [row for row in rows if row[column].get("class") == "best"]
        if key in ("bce", "mse", "psnr", "ssim"):  # two variants with different values: one is best
            values = [float(row[column].text.partition(" ± ")[0]) for row in rows]
            best = (min if headings[key].endswith("↓") else max)(values)
            assert [float(row[column].text.partition(" ± ")[0]) for row in marked] == [best], key
        if key == "device":
            assert not marked
