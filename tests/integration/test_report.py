"""The study report: tables equal the metrics JSON, mean ± std over seeds, only what ran is shown."""

import json
import re
import shutil
import statistics
import xml.etree.ElementTree as ElementTree

import numpy as np
import pandas as pd
import pytest
import torch

from aelab import paths
from aelab.config.loading import load_params
from aelab.evaluation.stage import evaluate_variant
from aelab.report.build import build_report
from aelab.training.devices import compare_devices
from aelab.training.stage import train_variant
from tests.conftest import SMOKE_PARAMS, with_seeds, write_tiny_mnist

CPU = torch.device("cpu")
TRAINED = ("vae-baseline", "ae-baseline")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Two variants of the smoke 'conv' study trained with two seeds and scored, the VAE compared on the devices
    this machine has; the rest never ran."""
    root = write_tiny_mnist(tmp_path_factory.mktemp("report"))
    shutil.copy(SMOKE_PARAMS, root / "params.yaml")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        params = with_seeds(load_params("params.yaml"), [0, 1])
        for variant in TRAINED:
            train_variant(params, variant, CPU)
            evaluate_variant(params, "reconstruction", variant, CPU)
            evaluate_variant(params, "generation", variant, CPU)
        for task in ("latent", "diagnostics"):
            evaluate_variant(params, task, "vae-baseline", CPU)
        compare_devices(params, "vae-baseline", ["cpu", "cuda"])
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
            if column in ("device", "precision", "cpu_threads"):  # words, or a setting: no spread
                assert cell == str(stored[column])
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
    assert 'id="conv-generation"' in conv and 'id="conv-inpainting"' not in conv  # a task table only with rows
    assert 'id="study-mlp"' not in html and 'id="study-coco"' not in html  # nothing of theirs ran
    assert 'id="datasets"' not in html and 'id="classifiers"' not in html  # no manifests, no classifiers here
    images = re.findall(r'<img src="([^"]+)"', html)
    assert "figures/studies/conv.png" in images
    assert "figures/vae-baseline/generation/samples_seed0.png" in images
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


def figure_captions(html: str) -> dict[str, str]:
    """Image source -> its caption."""
    found = re.findall(r'<img src="([^"]+)"[^>]*>\s*<figcaption>(.*?)</figcaption>', html, re.S)
    return {src: " ".join(caption.split()) for src, caption in found}


def test_latent_and_diagnostics_figures_of_every_seed_name_the_seed_and_its_numbers(report):
    root, _, html = report
    captions = figure_captions(html)
    latent = json.loads((root / paths.task_metrics("vae-baseline", "latent")).read_text())
    diagnostics = json.loads((root / paths.task_metrics("vae-baseline", "diagnostics")).read_text())
    for seed in (0, 1):
        note = (
            f"Seed {seed}: silhouette by class {latent[f'silhouette_seed{seed}']:.3g}, "
            f"{diagnostics[f'active_units_seed{seed}']:g} active latent units."
        )
        for task, name in (("latent", "latent"), ("diagnostics", "kl_per_dimension")):
            assert captions[f"figures/vae-baseline/{task}/{name}_seed{seed}.png"].endswith(note), (task, seed)
    # a task drawn for its first seed only names that seed
    assert captions["figures/ae-baseline/reconstruction/reconstructions_seed0.png"].endswith("Seed 0.")
    assert "figures/ae-baseline/reconstruction/reconstructions_seed1.png" not in captions


def test_a_study_with_a_vae_and_an_ae_shows_their_random_codes_decoded_side_by_side(report):
    root, _, html = report
    assert "figures/studies/conv-noise-decoding.png" in figure_captions(section(html, "conv"))
    codes = [
        np.load(root / paths.task_figure_arrays(variant, "generation", "decoded", 0))["noise_codes"]
        for variant in TRAINED
    ]
    np.testing.assert_array_equal(*codes)  # one latent size, one seed: the same N(5, 1) codes


def test_the_device_comparison_has_a_row_per_device_and_a_per_epoch_table_per_device(report):
    root, params, html = report
    match = re.search(r'<section class="study" id="devices-vae-baseline">(.*?)</section>', html, re.S)
    assert match, "no device comparison"
    comparison = match.group(1)
    finals = json.loads((root / paths.devices_metrics("vae-baseline")).read_text())
    devices = ["cuda", "cpu"] if torch.cuda.is_available() else ["cpu"]
    for device in devices:
        per_epoch = table_after(comparison, f"devices-vae-baseline-{device}-per-epoch")
        runs = [pd.read_csv(root / paths.devices_history("vae-baseline", device, seed)) for seed in (0, 1)]
        assert list(per_epoch) == [str(epoch) for epoch in runs[0]["epoch"]]
        for epoch, row in per_epoch.items():
            losses = [run.set_index("epoch").at[int(epoch), "train_loss"] for run in runs]
            assert row["train_loss"] == f"{statistics.fmean(losses):.4g} ± {statistics.stdev(losses):.2g}"
        assert finals[f"{device}_precision"] == "float32"
    if not torch.cuda.is_available():
        assert "CPU only" in comparison
    images = figure_captions(comparison)
    for name in ("loss_curves", "reconstructions", "samples", "latent"):
        assert f"figures/devices/vae-baseline/{name}.png" in images


def test_the_provenance_names_the_training_precision(report):
    _, _, html = report
    assert re.search(r"<dt>training precision</dt><dd>float32", html)


def test_a_study_says_where_its_variants_were_not_made_alike(report, monkeypatch):
    """Site settings rerun nothing, so a study may hold variants trained under other precisions: its section says
    what they share and, plainly, where they differ."""
    root, params, html = report
    conv = section(html, "conv")
    assert "Made under: precision: float32; device: " in conv and "Not made alike" not in conv
    monkeypatch.chdir(root)
    record = paths.train_metrics("ae-baseline")
    kept = record.read_text()
    record.write_text(json.dumps(json.loads(kept) | {"precision": "bfloat16"}))
    try:
        conv = section(build_report(params, root / "params.yaml").read_text(), "conv")
    finally:
        record.write_text(kept)
    assert (
        "Not made alike: precision differs between its variants: float32 (vae-baseline); bfloat16 (ae-baseline)."
        in conv
    )
