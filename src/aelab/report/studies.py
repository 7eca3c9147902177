"""Each study of the published run as its results section reads: its question, its tables, its key figures.

Declared once here, beside one another, keyed by the study ids of params.yaml;
``docs/results.md`` and the HTML report both read them. A study params.yaml
defines that is not declared here (a user's own) gets :data:`GENERIC`: the
headline metrics its variants have.
"""

from __future__ import annotations

from dataclasses import dataclass

from aelab.report.layouts import DeviceEpochs, Layout, Metrics, PerNoise, Pick

LOSS = Pick("train", ("final_test_loss",))
COST = Pick("train", ("seconds_per_epoch",))
RECONSTRUCTION = Pick("reconstruction", ("bce", "mse", "psnr", "ssim"))
KL = Pick("diagnostics", ("kl_total", "active_units"))
SEPARATION = Pick("latent", ("silhouette",))
SAMPLES = Pick("sample_quality", ("frechet_distance", "confident_share"))
SAMPLES_BOTH = Pick("sample_quality", ("frechet_distance(_full_cov)?",))


@dataclass(frozen=True)
class Shown:
    """A figure the stages drew, shown on the results page: a task's figure of a variant's first seed (``task``
    and ``name`` as the task declares them), or, with ``task`` "study", one the report draws for the whole study
    (``loss-curves``, ``noise-decoding``), or, with ``task`` "devices", the CPU-against-GPU comparison's."""

    variant: str
    task: str
    name: str


def loss_curves() -> Shown:
    return Shown("", "study", "loss-curves")


@dataclass(frozen=True)
class DataNote:
    """What a reader must know of a run's data beyond its counts, said where the data are the ones it describes:
    where each of the study's datasets was made of ``images`` source images (training, test and skipped)."""

    images: int
    text: str


@dataclass(frozen=True)
class StudyPage:
    question: str
    tables: tuple[Layout, ...]
    figures: tuple[Shown, ...] = (loss_curves(),)
    data_note: DataNote | None = None


GENERIC = StudyPage(
    question="",
    tables=(Metrics("Headline metrics of each variant.", (LOSS, RECONSTRUCTION, KL, SEPARATION, SAMPLES, COST)),),
)

COCO_MIRROR = DataNote(
    2748,
    "These 2,748 images are not COCO val2017's 5,000 but the selection of an offline mirror of it: nearly all "
    "show a person, and each was stored at the smallest JPEG scale that still decodes to 64 px (the pipeline's "
    "arrays differ from the originals' by about 1.5/255 per pixel). The numbers describe that selection, not COCO "
    "as a whole.",
)

STUDY_PAGES: dict[str, StudyPage] = {
    "architecture": StudyPage(
        question="Does a third convolution layer (128 filters) help the Keras-style VAE and AE, and does it matter "
        "whether it downsamples (stride 2, a 4x4 bottleneck) or not (stride 1, 7x7)?",
        tables=(
            Metrics(
                "VAEs: objective, reconstruction, KL and sample quality.",
                (LOSS, RECONSTRUCTION, KL, SEPARATION, SAMPLES, COST),
                kind="vae",
            ),
            Metrics("Deterministic AEs.", (LOSS, RECONSTRUCTION, SEPARATION, SAMPLES_BOTH, COST), kind="ae"),
        ),
        figures=(
            loss_curves(),
            Shown("vae-deep-stride1", "reconstruction", "reconstructions"),
            Shown("vae-deep-stride2", "manifold", "manifold"),
            Shown("ae-deep", "latent", "latent"),
        ),
    ),
    "latent-size": StudyPage(
        question="How does the size of the latent space (1, 2, 3, 10) trade reconstruction against the structure "
        "of the codes, for the VAE and for the deterministic AE?",
        tables=(
            Metrics(
                "VAEs by latent size.",
                (LOSS, Pick("reconstruction", ("bce", "psnr")), KL, SEPARATION, SAMPLES),
                kind="vae",
            ),
            Metrics(
                "Deterministic AEs by latent size.",
                (LOSS, Pick("reconstruction", ("bce", "psnr")), SEPARATION, SAMPLES_BOTH),
                kind="ae",
            ),
        ),
        figures=(
            loss_curves(),
            Shown("vae-latent1", "latent", "latent"),
            Shown("vae-baseline", "latent", "latent"),
            Shown("vae-latent3", "latent", "latent"),
            Shown("vae-latent10", "latent", "latent"),
            Shown("vae-latent10", "diagnostics", "kl_per_dimension"),
        ),
    ),
    "loss-function": StudyPage(
        question="Does training on MSE instead of BCE change how well images are reconstructed and how the classes "
        "separate in the codes? Each model's own loss differs, so they are compared on common scores.",
        tables=(Metrics("Common scores of the BCE- and MSE-trained models.", (RECONSTRUCTION, SEPARATION, SAMPLES)),),
        figures=(
            Shown("vae-baseline", "latent", "latent"),
            Shown("vae-mse", "latent", "latent"),
            Shown("vae-mse", "reconstruction", "reconstructions"),
        ),
    ),
    "beta": StudyPage(
        question="How does beta (0.5, 1, 4) trade reconstruction against the KL term, and what does it do to the "
        "codes and the samples?",
        tables=(
            Metrics(
                "beta-VAEs: reconstruction against KL.",
                (Pick("reconstruction", ("bce", "mse", "psnr")), KL, SEPARATION, SAMPLES),
            ),
        ),
        figures=(
            loss_curves(),
            Shown("vae-beta05", "latent", "latent"),
            Shown("vae-beta4", "latent", "latent"),
            Shown("vae-beta4", "generation", "samples"),
        ),
    ),
    "regularisation": StudyPage(
        question="Over 10 epochs, do L1, L2, dropout or batch normalisation change the VAE's held-out loss, and "
        "how stable is that loss across folds? The unregularised VAE is also the model of the CPU-against-GPU "
        "comparison.",
        tables=(
            Metrics(
                "The five variants after 10 epochs.", (LOSS, Pick("reconstruction", ("bce", "psnr")), SAMPLES, COST)
            ),
            Metrics(
                "5-fold cross-validation of the training objective (held-out loss per fold).",
                (Pick("crossval", (r"fold\d+_loss", "loss", "recon", "kl")),),
            ),
            DeviceEpochs("CPU against GPU (float32 on both):"),
        ),
        figures=(
            loss_curves(),
            Shown("vae-reg-none", "devices", "loss_curves"),
            Shown("vae-reg-none", "generation", "samples"),
        ),
    ),
    "cmnist": StudyPage(
        question="On colourised MNIST, where colour predicts the digit in all but a fraction rho of the training "
        "images, do the codes group by digit or by colour, and does that change with rho?",
        tables=(
            Metrics(
                "Silhouette of the codes by digit and by stroke colour, of the test split (90% "
                "bias-conflicting) and of training codes (mostly bias-aligned).",
                (Pick("latent", ("silhouette", "silhouette_colour", "silhouette_train", "silhouette_colour_train")),),
            ),
            Metrics("Reconstruction and sample quality.", (Pick("reconstruction", ("bce", "mse", "psnr")), SAMPLES)),
        ),
        figures=(
            loss_curves(),
            Shown("vae-cmnist-rho01", "latent", "latent"),
            Shown("vae-cmnist-rho01", "latent", "latent_colour"),
            Shown("vae-cmnist-rho01", "latent", "latent_colour_train"),
            Shown("ae-cmnist", "latent", "latent_colour"),
        ),
    ),
    "metrics": StudyPage(
        question="How do the 15-epoch VAE, the AE and the denoising AE score on MSE, MAE and R^2, the scores "
        "published notebooks report?",
        tables=(
            Metrics(
                "Test-set reconstruction scores.",
                (Pick("reconstruction", ("mse", "mae", "r2", "r2_uniform", "psnr", "ssim")),),
            ),
        ),
        figures=(
            Shown("vae-15epochs", "reconstruction", "reconstructions"),
            Shown("noise-dae", "reconstruction", "reconstructions"),
        ),
    ),
    "mlp": StudyPage(
        question="How do depth, latent size and activation (m1-m6, and a VAE of the same kind) change what an MLP "
        "autoencoder reconstructs and how its codes separate the digits?",
        tables=(
            Metrics(
                "Reconstruction, separation of the codes and sample quality (an AE's samples are drawn from a "
                "Gaussian fitted to its training codes, per dimension as published and with full covariance; the "
                "VAE's from its prior).",
                (RECONSTRUCTION, SEPARATION, Pick("sample_quality", ("frechet_distance.*", "confident_share")), COST),
            ),
            Metrics(
                "Anomaly detection: Fashion-MNIST scored by reconstruction error.",
                (Pick("anomaly", ("roc_auc", "average_precision")),),
            ),
        ),
        figures=(
            loss_curves(),
            Shown("mlp-m1", "latent", "latent"),
            Shown("mlp-m1", "manifold", "manifold"),
            Shown("mlp-m5", "reconstruction", "reconstructions"),
        ),
    ),
    "denoising": StudyPage(
        question="Which MLP denoises which noise best: each of m1-m6, plain and trained against Gaussian, "
        "salt-and-pepper and speckle noise, is scored on every test noise.",
        tables=(PerNoise("Each model on each test noise", "psnr"), PerNoise("Each model on each test noise", "mse")),
        figures=(
            loss_curves(),
            Shown("mlp-m5-gaussian", "denoising", "denoising"),
            Shown("mlp-m5", "denoising", "denoising"),
        ),
    ),
    "conditional": StudyPage(
        question="Given the digit label at the decoder, do the MLP autoencoders draw the digit asked for from "
        "random codes, and at what cost to reconstruction?",
        tables=(
            Metrics(
                "Reconstruction, and samples asked for digits 0-9.",
                (
                    Pick("reconstruction", ("bce", "psnr", "ssim")),
                    Pick(
                        "sample_quality",
                        (
                            "frechet_distance",
                            "label_agreement(_full_cov)?",
                        ),
                    ),
                ),
            ),
        ),
        figures=(
            loss_curves(),
            Shown("mlp-m3-conditional", "generation", "samples"),
            Shown("mlp-m5-conditional", "generation", "samples"),
        ),
    ),
    "noise-sampling": StudyPage(
        question="Decoding codes drawn from N(5, 1): does only the VAE turn random vectors into digits?",
        tables=(
            Metrics(
                "What random codes decode to: the mean intensity of the N(5, 1) codes decoded; the Fréchet "
                "distance and confident share of each model's own sampler (a VAE's prior, an AE's per-dimension "
                "Gaussian fitted to its training codes), its samples against as many real test images.",
                (Pick("generation", ("noise_sample_mean_intensity",)), SAMPLES),
            ),
        ),
        figures=(Shown("", "study", "noise-decoding"),),
    ),
    "applications": StudyPage(
        question="How do the deeper AE and the latent-10 VAE do at inpainting, denoising and detecting "
        "Fashion-MNIST as anomalous?",
        tables=(
            Metrics("Inpainting: MSE inside the hole and over the image, per hole.", (Pick("inpainting", (".*",)),)),
            PerNoise("Denoising", "psnr"),
            Metrics("Anomaly detection.", (Pick("anomaly", ("roc_auc", "average_precision")),)),
        ),
        figures=(
            Shown("ae-deep", "inpainting", "inpainting"),
            Shown("ae-deep", "denoising", "denoising"),
            Shown("ae-deep", "anomaly", "error_histogram"),
            Shown("vae-latent10", "inpainting", "inpainting"),
        ),
    ),
    "mlp-coco": StudyPage(
        question="The six MLP autoencoders on 28x28 grey COCO crops: how much of a natural image survives each "
        "bottleneck?",
        tables=(Metrics("Reconstruction of test crops.", (Pick("reconstruction", ("mse", "psnr", "ssim")), COST)),),
        figures=(
            loss_curves(),
            Shown("mlp-m1-coco", "reconstruction", "reconstructions"),
            Shown("mlp-m4-coco", "reconstruction", "reconstructions"),
        ),
        data_note=COCO_MIRROR,
    ),
    "coco": StudyPage(
        question="On 64x64 COCO, how do the three convolutional designs (dense bottleneck 16 and 128, fully "
        "convolutional, skip connections) reconstruct and denoise, trained on clean or on noisy inputs?",
        tables=(
            Metrics("Reconstruction of clean test images.", (Pick("reconstruction", ("mse", "psnr", "ssim")), COST)),
            PerNoise("Denoising", "psnr"),
            PerNoise("Denoising", "psnr", scale="_native"),
        ),
        figures=(
            loss_curves(),
            Shown("coco-dense16", "reconstruction", "reconstructions"),
            Shown("coco-skip-denoise", "denoising", "denoising"),
        ),
        data_note=COCO_MIRROR,
    ),
}


def page(study_id: str) -> StudyPage:
    return STUDY_PAGES.get(study_id, GENERIC)
