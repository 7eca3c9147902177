"""docs/results.md built from committed-style metrics and figures of the real params.yaml: each study's own
tables, its figures, its findings (marked when the numbers change), and the conditions its numbers came from."""

import numpy as np
import pytest
import yaml
from PIL import Image

from aelab import paths
from aelab.config.loading import load_params
from aelab.io import write_json
from aelab.pipeline.producers import variant_runs
from aelab.report.findings import findings_file, metrics_digest, sign
from aelab.report.results import FIGURE_BYTES, FIGURES, RESULTS_FILE, publish_results, results_markdown
from aelab.report.tables import published
from tests.conftest import ROOT

CPU = {"device": "AMD EPYC", "precision": "float32", "cpu_threads": 1}


def trained(variant, seeds=1, **record):
    write_json(
        paths.train_metrics(variant),
        CPU | {"seeds": seeds, "final_test_loss": 100.0, "seconds_per_epoch": 6.0, "images_per_second": 1e4} | record,
    )


def evaluated(params, variant, **numbers):
    """Every metrics file params.yaml asks of a trained variant: a run's numbers where given (by stage), else an
    empty record (a task whose numbers no table of these tests shows)."""
    for run in variant_runs(params, [variant]):
        for path in run.metrics():
            if run.stage in numbers or not path.exists():
                write_json(path, numbers.get(run.stage, {}))


def noise_scores(psnr_out: float) -> dict[str, float]:
    """denoising.json of one model: the same noisy inputs, its own outputs."""
    noises = {"gaussian_0p1": 22.7, "gaussian_0p4": 11.0, "salt_and_pepper_0p1": 13.2, "speckle_0p4": 20.3}
    scores = {}
    for noise, psnr_in in noises.items():
        scores |= {f"{noise}_psnr_input": psnr_in, f"{noise}_psnr_output": psnr_out}
        scores |= {f"{noise}_mse_input": 10 ** (-psnr_in / 10), f"{noise}_mse_output": 10 ** (-psnr_out / 10)}
    return scores


def drawn(path, size=200):
    """A figure as a stage draws it: a PNG, here of noise (the hardest to compress)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(0).integers(0, 256, (size, size, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Part of a published run of the real study: the MLP study (m1 and m5), two denoisers, two beta-VAEs of three
    seeds trained under different precisions and stage code, the cross-validation, and a few figures."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text((ROOT / "params.yaml").read_text())
    params = load_params("params.yaml")
    trained("mlp-m1")
    trained("mlp-m5", seconds_per_epoch=8.0)
    evaluated(
        params,
        "mlp-m1",
        reconstruction={"bce": 132.5, "mse": 0.0359, "psnr": 15.2, "ssim": 0.55},
        denoising=noise_scores(13.4),
    )
    evaluated(
        params,
        "mlp-m5",
        reconstruction={"bce": 64.0, "mse": 0.0068, "psnr": 22.6, "ssim": 0.92},
        anomaly={"roc_auc": 0.9986, "average_precision": 0.9987},
        denoising=noise_scores(14.2),
    )
    trained("mlp-m1-speckle")
    evaluated(params, "mlp-m1-speckle", denoising=noise_scores(15.1))
    trained("vae-baseline", seeds=3, final_test_loss_std=0.5)
    trained("vae-beta4", seeds=3, precision="bfloat16", final_test_loss_std=0.4)
    for variant, kl in (("vae-baseline", 6.0), ("vae-beta4", 3.1)):
        evaluated(params, variant, diagnostics={"kl_total": kl, "kl_total_std": 0.1, "active_units": 2})
    trained("vae-reg-none", seeds=3)
    folds = {f"fold{fold}_loss": 150.0 + fold for fold in range(5)}
    evaluated(params, "vae-reg-none", crossvalidate=folds | {"loss": 152.0, "loss_std": 1.58, "folds": 5})
    lock = {
        "schema": "2.0",
        "stages": {
            "train@vae-baseline": {"deps": [{"path": "src/aelab/training/engine.py", "md5": "a" * 32}]},
            "train@vae-beta4": {"deps": [{"path": "src/aelab/training/engine.py", "md5": "b" * 32}]},
            "train@mlp-m1": {"deps": [{"path": "src/aelab/training/engine.py", "md5": "a" * 32}]},
            "reconstruction@mlp-m5": {"deps": [{"path": "src/aelab/evaluation/stage.py", "md5": "c" * 32}]},
        },
    }
    (tmp_path / "dvc.lock").write_text(yaml.safe_dump(lock))
    drawn(paths.task_figure("mlp-m1", "latent", "latent", 0))
    drawn(paths.task_figure("mlp-m5", "reconstruction", "reconstructions", 0), size=600)  # ~1 MB as drawn
    return params


def section(page: str, title: str) -> str:
    start = page.index(f"## {title}\n")
    end = page.find("\n## ", start + 1)
    return page[start : end if end > 0 else None]


def table_rows(text: str, caption: str) -> list[list[str]]:
    """The cells of the table under ``caption``, heading row first."""
    lines = text[text.index(caption) :].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return [row for row in rows if set(row[0]) != {"-"}]


def test_each_study_has_its_own_tables(run):
    publish_results(run)
    page = RESULTS_FILE.read_text()
    mlp = section(page, "MLP autoencoders m1-m6")
    assert "**Question.** How do depth, latent size and activation" in mlp
    rows = table_rows(mlp, "Reconstruction, separation of the codes and sample quality (")
    assert rows[0] == [
        "variant",
        "BCE (nats/image) ↓",
        "MSE (per pixel) ↓",
        "PSNR (dB) ↑",
        "SSIM ↑",
        "seconds per epoch ↓",
    ]
    assert rows[1] == ["mlp-m1", "132.5", "0.0359", "15.2", "0.55", "**6**"]
    assert rows[2][:2] == ["mlp-m5", "**64**"]  # the best of a column with a direction is bold
    anomaly = table_rows(mlp, "Anomaly detection: Fashion-MNIST scored by reconstruction error.")
    assert anomaly == [["variant", "ROC AUC ↑", "average precision ↑"], ["mlp-m5", "0.9986", "0.9987"]]

    denoising = section(page, "MLP denoisers: Gaussian, salt-and-pepper, speckle (against each plain model)")
    rows = table_rows(denoising, "Each model on each test noise: PSNR of the output (dB, ↑).")
    assert rows[0][:3] == ["variant", "trained on", "Gaussian σ 0.1 (noisy input 22.7) ↑"]
    assert rows[1] == ["mlp-m1", "no noise", "13.4", "13.4", "13.4", "13.4"]
    assert rows[2] == ["mlp-m1-speckle", "speckle σ 0.5", "**15.1**", "**15.1**", "**15.1**", "**15.1**"]
    assert "MSE of the output (per pixel, ↓)" in denoising
    assert "Not run yet: mlp-m1-gaussian, mlp-m1-saltpepper" in denoising

    beta = section(page, "beta-VAE: reconstruction against KL")
    assert table_rows(beta, "beta-VAEs: reconstruction against KL.") == [
        ["variant", "KL (nats)", "active units"],
        ["vae-baseline", "6 ± 0.1", "2"],
        ["vae-beta4", "3.1 ± 0.1", "2"],
    ]
    folds = table_rows(section(page, "Regularisation ablation (10 epochs)"), "5-fold cross-validation")
    assert folds[0][1:7] == [f"held-out loss, fold {k}" for k in range(1, 6)] + ["held-out loss ↓"]
    assert folds[1][-1] == "152 ± 1.6"
    assert "## Architecture: a third conv layer (128 filters), two flavours\n\n**Question.**" in page
    assert "Not run yet." in section(page, "Colourised MNIST at four bias levels")
    cells = [cell.strip() for text in (mlp, denoising) for line in text.splitlines() for cell in line.split("|")[1:-1]]
    assert "—" not in cells  # no column that says nothing for its study


def test_a_variant_is_shown_only_once_every_run_of_it_has_written_its_metrics(run):
    """A variant trained with its evaluations still to come is listed as such, never a row of blank cells; the
    findings' numbers are those of the variants shown."""
    title = "MLP denoisers: Gaussian, salt-and-pepper, speckle (against each plain model)"
    shown = published(run, run.studies["denoising"].variants)
    trained("mlp-m1-saltpepper")
    evaluated(run, "mlp-m1-saltpepper", denoising=noise_scores(14.0))
    paths.task_metrics("mlp-m1-saltpepper", "sample_quality").unlink()  # its last evaluation still to run
    trained("vae-cmnist-rho01")
    denoising = section(results_markdown(run), title)
    assert "Trained, evaluations still to run: mlp-m1-saltpepper. Not run yet: mlp-m1-gaussian, mlp-m2," in denoising
    assert "| mlp-m1-saltpepper |" not in denoising
    assert published(run, run.studies["denoising"].variants) == shown
    cmnist = section(results_markdown(run), "Colourised MNIST at four bias levels")
    assert "Trained, evaluations still to run: vae-cmnist-rho01. Not run yet: vae-cmnist-rho05," in cmnist
    assert "|" not in cmnist  # no table of blank cells
    evaluated(run, "mlp-m1-saltpepper")
    denoising = section(results_markdown(run), title)
    assert "| mlp-m1-saltpepper |" in denoising and "Trained, evaluations" not in denoising
    assert "Not run yet: mlp-m1-gaussian, mlp-m2," in denoising


def test_key_figures_are_committed_small_and_kept_in_a_fresh_clone(run):
    publish_results(run)
    page = RESULTS_FILE.read_text()
    latent = FIGURES / "mlp" / "mlp-m1-latent-latent.png"
    large = FIGURES / "mlp" / "mlp-m5-reconstruction-reconstructions.png"
    assert "![mlp-m1-latent-latent](results/mlp/mlp-m1-latent-latent.png)" in page
    assert "*mlp-m1, seed 0: Test codes by class" in page
    assert latent.exists() and large.exists()
    assert (
        large.stat().st_size
        <= FIGURE_BYTES
        < paths.task_figure("mlp-m5", "reconstruction", "reconstructions", 0).stat().st_size
    )
    assert "mlp-m1-manifold" not in page  # never drawn: not linked
    # a fresh clone has the page's figures, not the run's artefacts: the same page
    paths.task_figure("mlp-m1", "latent", "latent", 0).unlink()
    publish_results(run)
    assert RESULTS_FILE.read_text() == page and latent.exists()
    # a figure no study shows any more is removed
    stray = FIGURES / "mlp.png"
    stray.write_bytes(b"")
    publish_results(run)
    assert not stray.exists()


def test_findings_are_marked_when_their_numbers_change(run):
    findings = findings_file("mlp")
    findings.parent.mkdir(parents=True)
    findings.write_text("m5 reconstructs best: BCE 64 against m1's 132.5.\n")
    assert "> **Written without a record of its numbers:**" in section(results_markdown(run), "MLP autoencoders m1-m6")
    sign("mlp", metrics_digest(["mlp-m1", "mlp-m5"]))
    mlp = section(results_markdown(run), "MLP autoencoders m1-m6")
    assert "### Findings\n\nm5 reconstructs best: BCE 64 against m1's 132.5." in mlp and "Written" not in mlp
    write_json(paths.train_metrics("mlp-m5"), CPU | {"seeds": 1, "final_test_loss": 100.0, "seconds_per_epoch": 9.0})
    assert "Written" not in section(results_markdown(run), "MLP autoencoders m1-m6")  # a wall time is no finding
    write_json(paths.task_metrics("mlp-m5", "reconstruction"), {"bce": 64.5, "mse": 0.0068, "psnr": 22.6, "ssim": 0.92})
    mlp = section(results_markdown(run), "MLP autoencoders m1-m6")
    assert "> **Written before these numbers changed:** read the tables again" in mlp
    assert "No findings written yet (docs/findings/denoising.md)." in results_markdown(run)


def test_provenance_says_where_the_variants_were_not_made_alike(run):
    page = results_markdown(run)
    beta = section(page, "beta-VAE: reconstruction against KL")
    assert "**Provenance.** Made under: device: AMD EPYC; CPU threads per job: 1." in beta
    assert (
        "**Not made alike: precision differs between its variants: float32 (vae-baseline); bfloat16 (vae-beta4).**"
        in beta
    )
    assert (
        "**Not made alike: stage code differs between its variants: src/aelab/training/engine.py at aaaaaaaa "
        "(vae-baseline); src/aelab/training/engine.py at bbbbbbbb (vae-beta4).**" in beta
    )
    assert "Training took 0.30 h of job time (seconds per epoch × epochs × seeds); 3 seeds per variant." in beta
    mlp = section(page, "MLP autoencoders m1-m6")
    assert (
        "Made under: precision: float32; device: AMD EPYC; CPU threads per job: 1; stage code: one version of " in mlp
    )
    assert "over the 2 source files its stages ran." in mlp and "Not made alike" not in mlp
    assert "**Data:** —." in mlp  # no dataset manifest in this project
    write_json(paths.dataset_manifest("coco28-grey"), {"train_images": 2473, "test_images": 275})
    trained("mlp-m1-coco")
    evaluated(run, "mlp-m1-coco")
    coco = section(results_markdown(run), "MLP autoencoders on COCO 28x28 grey")
    assert "**Data:** coco28-grey, 2,473 training and 275 test images. These 2,748 images are not COCO" in coco
