"""The values the published experiments leave open, and what aelab chose (docs/study.md 4).

A reader of the report must never mistake a choice for a replication, so the
report (and ``docs/choices.md``, written by ``python -m aelab choices``) lists
each one next to the value in use. Values come from where they are set: a
params key (patterns like ``variants.mlp-*.model.loss`` gather every variant
that has the key, and show each distinct value once; a variant's ``training``
is its resolved one, the study-wide section with its overrides) or a constant
of the code. A value the publications do state is not listed: docs/study.md
names those keys, and a test checks that every key of params.yaml is in one
place or the other. A params pattern that matches nothing in a study (the
smoke study has no COCO denoisers, say) drops its row.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from aelab.config.params import Params
from aelab.data.cmnist import PALETTE_NAMES
from aelab.evaluation.generation import JITTER
from aelab.evaluation.latent import TRAINING_SAMPLE_SEED
from aelab.site import DEFAULT_PRECISION, PRECISION_VARIABLE, PRECISIONS


@dataclass(frozen=True)
class Choice:
    topic: str
    """What the publications leave open."""
    keys: tuple[str, ...] = ()
    """params.yaml keys (fnmatch patterns per dotted part) that hold aelab's value."""
    value: str = ""
    """aelab's value, where the code (not params.yaml) sets it."""
    where: str = ""
    """The module that sets a code value."""
    name_holders: bool = False
    """Name what has each value even when all agree (e.g. which variants repeat with more seeds)."""


CHOICES = (
    Choice("Denoising conv AE (2.3): noise added to its training inputs", keys=("variants.noise-dae.training.noise",)),
    Choice(
        "AE and denoising AE of 2.3: the model (the 2.2 conv AE; its latent size, architecture and loss are not "
        "published)",
        keys=(
            "variants.noise-*.model.architecture",
            "variants.noise-*.model.latent_dim",
            "variants.noise-*.model.loss",
        ),
    ),
    Choice(
        "Noise sampling (2.3): the N(5, 1) codes",
        value="drawn by a generator of their own seeded with the run's seed, so models of one latent size and seed "
        "(the AE and the denoising AE) decode the same codes",
        where="aelab.evaluation.generation",
    ),
    Choice(
        "Epochs of the MLP, COCO and noise-sampling AEs (30 is published for the conv VAE and AE)",
        keys=("variants.mlp-*.training.epochs", "variants.coco-*.training.epochs", "variants.noise-*.training.epochs"),
    ),
    Choice(
        "MLP denoisers (2.4): noise added to their training inputs, per kind", keys=("variants.mlp-m*.training.noise",)
    ),
    Choice("COCO denoisers (2.5): noise added to their training inputs", keys=("variants.coco-*.training.noise",)),
    Choice(
        "Denoising task: test noises (Gaussian sigma 0.1 and 0.4 are published; the salt-and-pepper amount and "
        "speckle sigma are not)",
        keys=("evaluation.denoising.noise",),
    ),
    Choice("COCO designs (2.5): feature maps per level", keys=("variants.coco-*.model.channels",)),
    Choice("COCO designs (2.5): hidden activation", keys=("variants.coco-*.model.activation",)),
    Choice("COCO designs (2.5): BatchNorm after each hidden conv", keys=("variants.coco-*.model.batchnorm",)),
    Choice("COCO designs (2.5): reconstruction loss", keys=("variants.coco-*.model.loss",)),
    Choice(
        "COCO skip connections (2.5, design 3)",
        value="each encoder level's output is added (not concatenated) to the decoder level of the same size",
        where="aelab.models.coco_conv",
    ),
    Choice(
        "COCO fully convolutional design (2.5, design 2): layers around MaxPool / MaxUnpool",
        value="Conv(k3, pad 1) keeping the size, then MaxPool(2) with indices; mirrored by MaxUnpool(2), Conv(k3)",
        where="aelab.models.coco_conv",
    ),
    Choice("MLP autoencoders (2.4): reconstruction loss", keys=("variants.mlp-m*.model.loss",)),
    Choice(
        "MLP autoencoders (2.4): output layer",
        value="Linear to the image, sigmoid (the loss reads its logits)",
        where="aelab.models.mlp",
    ),
    Choice(
        "CMNIST models (2.1, 2.2): reconstruction loss of a colour image",
        value="summed over the three colour channels and every pixel, as over the pixels of a grey image",
        where="aelab.models.losses",
    ),
    Choice("15-epoch VAE (2.1): latent size", keys=("variants.vae-15epochs.model.latent_dim",)),
    Choice(
        "Training data of the MNIST models",
        value="MNIST's 60,000 training images, the 10,000 test images held out for every held-out loss and metric "
        "(the Keras example behind seed 001's losses fits train + test, 70,000)",
        where="aelab.training.stage",
    ),
    Choice(
        "Precision (published numbers are Keras' float32)",
        value=f"{PRECISIONS[DEFAULT_PRECISION]} on every device, TF32 off on a GPU; "
        f"{PRECISIONS['bf16']} only where a site sets ${PRECISION_VARIABLE}=bf16, and every record says which",
        where="aelab.site",
    ),
    Choice(
        "VAE evaluation tasks: the code of an image",
        value="the posterior mean (seed 001 decoded a sampled code, mean + sigma * eps)",
        where="aelab.models.base",
    ),
    Choice(
        "Latent manifold (2-D): grid points per axis and range (15 x 15 over [-2, 2]^2 is published for the deeper "
        "AE; seed 001 draws 30 x 30 codes over [-1, 1]^2 for the VAE)",
        keys=("evaluation.manifold.points", "evaluation.manifold.limit"),
    ),
    Choice(
        "Latent manifold, 3-D latent",
        value="slices of the 2-D grid at z[2] = -limit, 0, +limit",
        where="aelab.evaluation.manifold",
    ),
    Choice("Latent space: test codes scored (silhouette) and plotted", keys=("evaluation.latent.points",)),
    Choice(
        "Latent space (CMNIST): training codes scored and drawn beside the test codes",
        value=f"the first `points` images of a fixed permutation of the training pool (seed {TRAINING_SAMPLE_SEED}), "
        "the same images for every model",
        where="aelab.evaluation.latent",
    ),
    Choice(
        "Latent space: t-SNE settings",
        value="scikit-learn defaults (perplexity 30), PCA initialisation, seeded by the run's seed",
        where="aelab.evaluation.latent",
    ),
    Choice("Generation: samples decoded per sampler", keys=("evaluation.generation.samples",)),
    Choice(
        "Deterministic AE sampling: jitter added to the fitted Gaussian's variances",
        value=f"{JITTER:g}",
        where="aelab.evaluation.generation",
    ),
    Choice(
        "VAE diagnostics: active-unit threshold on Cov_x E[z_u | x] (Burda et al. use 0.01)",
        keys=("evaluation.diagnostics.active_threshold",),
    ),
    Choice("Inpainting: seed of the random hole positions", keys=("evaluation.inpainting.seed",)),
    Choice(
        "Inpainting: where a random hole may start",
        value="every row and column at which the hole fits, the last one included (seed 002's randint left it out)",
        where="aelab.evaluation.inpainting",
    ),
    Choice(
        "PSNR on a [-1, 1] scale",
        value="peak 1, i.e. 10 log10(1 / MSE), as the notebooks compute it",
        where="aelab.evaluation.denoising",
    ),
    Choice(
        "SSIM",
        value="Gaussian window 11 x 11, sigma 1.5, K1 0.01, K2 0.03, data range 1 (Wang et al. 2004)",
        where="aelab.evaluation.reconstruction",
    ),
    Choice(
        "Sample quality: generated images per score, and the confidence threshold",
        keys=("evaluation.sample_quality.samples", "evaluation.sample_quality.confidence"),
    ),
    Choice(
        "Sample quality: the classifier",
        value="Conv(32)-pool-Conv(64)-pool-Dense(128) features, trained by the pipeline",
        where="aelab.classifier.model",
    ),
    Choice(
        "Sample quality: classifier training and its seed",
        keys=("evaluation.sample_quality.classifier.training", "evaluation.sample_quality.classifier.seed"),
    ),
    Choice("Cross-validation: seed of the fold shuffle", keys=("evaluation.crossval.seed",)),
    Choice(
        "CMNIST (1): class colours",
        value=", ".join(PALETTE_NAMES) + " (Trubetskoy's distinct colours)",
        where="aelab.data.cmnist",
    ),
    Choice(
        "CMNIST (1): validation images held out of MNIST's training split, and the dataset seed",
        keys=("datasets.cmnist.*.validation_images", "datasets.cmnist.*.seed"),
    ),
    Choice("Pooled CMNIST (1, 2.2): seed of the 70% draw", keys=("datasets.cmnist_pooled.*.seed",)),
    Choice(
        "COCO (1): images kept, held-out test fraction, split seed",
        keys=("datasets.coco.*.max_images", "datasets.coco.*.test_fraction", "datasets.coco.*.seed"),
    ),
    Choice("Repetitions: the seeds of each variant", keys=("variants.*.seeds",), name_holders=True),
)


def lookup(tree: object, pattern: str) -> list[tuple[str, object]]:
    """(what the wildcards matched, value) at every key of ``tree`` (nested dicts) that matches a dotted
    pattern whose parts are fnmatch patterns; unset (None) values are left out."""
    found: list[tuple[list[str], object]] = [([], tree)]
    for part in pattern.split("."):
        wild = any(char in part for char in "*?[")
        found = [
            (matched + [key] if wild else matched, child[key])
            for matched, child in found
            if isinstance(child, dict)
            for key in child
            if fnmatch.fnmatchcase(key, part)
        ]
    return [(".".join(matched), value) for matched, value in found if value is not None]


def shown(value: object) -> str:
    """A params value as a reader writes it: ``gaussian, std 0.5``; ``[32, 64, 128]``; ``1e-06``."""
    if isinstance(value, dict):
        items = [shown(value["kind"])] if "kind" in value else []
        items += [f"{key} {shown(item)}" for key, item in value.items() if key != "kind" and item is not None]
        return ", ".join(items)
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return "; ".join(shown(item) for item in value)
    if isinstance(value, list):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def value_text(found: list[tuple[str, object]], name_holders: bool) -> str:
    """Each distinct value once; where they differ, each followed by what has it (variant ids, dataset ids)."""
    holders: dict[str, list[str]] = {}
    for matched, value in found:
        holders.setdefault(shown(value), []).append(matched)
    if len(holders) == 1 and not name_holders:
        return next(iter(holders))
    return "; ".join(f"{text} ({', '.join(filter(None, owners)) or 'study-wide'})" for text, owners in holders.items())


def resolved_tree(params: Params) -> dict:
    """params.yaml as plain data, defaults included, each variant's ``training`` the one it trains with."""
    tree = params.model_dump(mode="json")
    for variant_id, variant in tree["variants"].items():
        variant["training"] = params.training_for(variant_id).model_dump(mode="json")
    return tree


def rows(params: Params) -> list[dict[str, str]]:
    """The choices this study makes: topic, aelab's value, where it is set."""
    tree = resolved_tree(params)
    table = []
    for choice in CHOICES:
        if not choice.keys:
            table.append({"topic": choice.topic, "value": choice.value, "where": choice.where})
            continue
        named = len(choice.keys) > 1  # several keys: each value after its key's name
        values = [
            (f"{key.rpartition('.')[2]} " if named else "") + value_text(found, choice.name_holders)
            for key, found in ((key, lookup(tree, key)) for key in choice.keys)
            if found
        ]
        if values:  # each distinct text once: keys that agree (every kind of model trains 30 epochs) say it once
            table.append(
                {"topic": choice.topic, "value": "; ".join(dict.fromkeys(values)), "where": ", ".join(choice.keys)}
            )
    return table


def markdown(params: Params) -> str:
    """The table as Markdown (``docs/choices.md``)."""
    lines = [
        "# Choices aelab makes",
        "",
        "Generated by `python -m aelab choices` from params.yaml and the code; do not edit by hand.",
        "",
        "What the published experiments leave open, and the value this study uses. A value the "
        "publications state is not listed: the study reproduces it as published.",
        "",
        "| what the publications leave open | aelab's choice | set in |",
        "| --- | --- | --- |",
    ]
    escape = lambda text: text.replace("|", "\\|")  # noqa: E731
    lines += [f"| {escape(row['topic'])} | {escape(row['value'])} | `{escape(row['where'])}` |" for row in rows(params)]
    return "\n".join(lines) + "\n"
