"""What a reader should look at, one line per figure and per table (HTML report and Snakemake's report).

Figures are keyed by (task, figure name), the names each evaluation module
declares (``aelab.evaluation.<task>.TASK.figures``); a test checks that every
declared figure has its caption here.
"""

FIGURE_CAPTIONS: dict[tuple[str, str], str] = {
    ("reconstruction", "loss_curves"): "Loss per epoch, train and test: the curves should fall and flatten; a "
    "widening gap is overfitting.",
    ("reconstruction", "reconstructions"): "Test images (top) and their reconstructions (bottom).",
    ("latent", "latent"): "Test codes by class (1-D: histograms; 2-D: scatter; 3-D: projections; >3-D: t-SNE of "
    "training codes): separated clusters mean the code carries the class.",
    ("latent", "latent_colour"): "The same test codes by stroke colour (CMNIST): whichever grouping clusters better "
    "is what the model encodes.",
    ("latent", "latent_train"): "Codes of training images (CMNIST: the mostly bias-aligned training pool, as the "
    "published experiment plotted them) by class.",
    ("latent", "latent_colour_train"): "The same training codes by stroke colour (CMNIST).",
    ("manifold", "manifold"): "Images decoded from a regular grid of codes: a smooth morph means a continuous latent "
    "space.",
    ("generation", "samples"): "Decoded samples of the prior (VAE) or of a per-dimension Gaussian fitted to the "
    "training codes (AE, as published): do they look like data?",
    ("generation", "samples_full_cov"): "Decoded samples of a full-covariance Gaussian fitted to the training codes "
    "(AE): correlations between code coordinates kept.",
    ("generation", "noise_samples"): "Codes drawn from N(5, 1): only a VAE's decoder has learnt to make digits of "
    "random vectors.",
    ("inpainting", "inpainting"): "Holes zeroed in test images and the model's fill-in.",
    ("denoising", "denoising"): "Noisy test images and the model's outputs, per noise model.",
    ("anomaly", "error_histogram"): "Reconstruction error of in-distribution and anomalous test images: the less they "
    "overlap, the better the detector.",
    ("anomaly", "anomalies"): "Anomalies and their reconstructions: they come out as digits.",
    ("diagnostics", "kl_per_dimension"): "KL per latent dimension; grey bars are inactive (collapsed) units.",
    ("sample_quality", "confidence"): "The classifier's top-class probability on generated and on real test images: "
    "mass near 1 means recognisable samples.",
    ("sample_quality", "extremes"): "Generated samples the classifier is most and least sure about.",
}

TABLE_CAPTIONS: dict[str, str] = {
    "reconstruction": "Test-set reconstruction (BCE summed per image; MSE, MAE per pixel; R^2 variance-weighted and "
    "uniform; PSNR in dB; SSIM) and training cost (final losses, seconds per epoch, device, precision).",
    "latent": "Silhouette of the codes by class (and, for CMNIST, by stroke colour, of test and of training codes): "
    "higher means better separated groups.",
    "manifold": "Latent manifold: mean squared difference between images of neighbouring grid codes (lower is a "
    "smoother map).",
    "generation": "Mean intensity of decoded samples (per sampler): near the data's mean for plausible images.",
    "inpainting": "MSE inside the hole and over the whole image, per hole kind.",
    "denoising": "MSE and PSNR (dB) of the noisy input and of the output against the clean image: a denoiser lowers "
    "the MSE and raises the PSNR (COCO: also on the models' own [-1, 1] scale, suffix native).",
    "anomaly": "Detecting the other dataset by reconstruction error: ROC AUC and average precision (1.0 is perfect).",
    "diagnostics": "KL per latent dimension and the number of active units.",
    "sample_quality": "Frechet distance of classifier features to real test images (lower is better; the reference is "
    "real training images) and the share of samples classified confidently.",
    "crossval": "k-fold cross-validation of the training objective: mean ± std of each held-out loss term over folds.",
    "denoising-summary": "Output PSNR (dB, higher is better) per test noise, by the noise each model was trained on: "
    "read off which model denoises which noise best.",
}

LOSS_CURVES_CAPTION = (
    "Test loss per epoch of each variant (mean over seeds, band: ± one std): "
    "compare levels only between variants with the same loss."
)

NOISE_DECODING_CAPTION = (
    "Random codes decoded side by side: each deterministic AE decodes the same five codes drawn from N(5, 1), each "
    "VAE five samples of its prior N(0, I) (first seed). Only the VAE was trained to turn random vectors into digits."
)
