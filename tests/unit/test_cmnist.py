"""CMNIST: deterministic, exact conflicting fractions, consistent labels/colours/flags."""

import numpy as np
import pytest

from aelab.config.datasets import CmnistConfig
from aelab.data.cmnist import PALETTE, assign_colours, build_cmnist, paint
from aelab.errors import UserError


@pytest.fixture
def mnist():
    rng = np.random.default_rng(1)
    grey = lambda n: rng.integers(0, 256, (n, 1, 28, 28), dtype=np.uint8)  # noqa: E731
    return {
        "train_images": grey(1000),
        "train_labels": rng.integers(0, 10, 1000),
        "test_images": grey(400),
        "test_labels": rng.integers(0, 10, 400),
    }


def config(**changes):
    values = {
        "source": "mnist",
        "seed": 3,
        "rho": 0.05,
        "test_conflicting": 0.9,
        "validation_conflicting": [0.8, 0.5],
        "validation_images": 200,
        "train_fraction": 1.0,
    }
    return CmnistConfig(**(values | changes))


def test_same_seed_same_dataset_other_seed_other_colours(mnist):
    first, second = build_cmnist(mnist, config()), build_cmnist(mnist, config())
    assert first.keys() == second.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    assert not np.array_equal(first["train_colours"], build_cmnist(mnist, config(seed=4))["train_colours"])


@pytest.mark.parametrize("rho", [0.01, 0.05, 0.10, 0.20])
def test_conflicting_fractions_are_exact_per_split(mnist, rho):
    arrays = build_cmnist(mnist, config(rho=rho))
    expected = {"train": rho, "test": 0.9, "val80": 0.8, "val50": 0.5}
    for split, fraction in expected.items():
        biased = arrays[f"{split}_biased"]
        assert (~biased).sum() == round(fraction * len(biased)), split


def test_labels_colours_and_flags_agree(mnist):
    arrays = build_cmnist(mnist, config(rho=0.2))
    for split in ("train", "test", "val80", "val50"):
        labels, colours, biased = (arrays[f"{split}_{k}"] for k in ("labels", "colours", "biased"))
        np.testing.assert_array_equal(biased, colours == labels)
        assert colours.min() >= 0 and colours.max() <= 9
        assert arrays[f"{split}_images"].shape == (len(labels), 3, 28, 28)
        assert arrays[f"{split}_images"].dtype == np.uint8


def test_conflicting_colours_cover_the_other_classes(mnist):
    labels = np.zeros(9000, dtype=np.int64)
    colours, biased = assign_colours(labels, 1.0, np.random.default_rng(0))
    assert not biased.any()
    counts = np.bincount(colours, minlength=10)
    assert counts[0] == 0 and (np.abs(counts[1:] - 1000) < 150).all()  # uniform over the nine others


def test_strokes_are_painted_with_the_colour():
    grey = np.zeros((2, 1, 2, 2), dtype=np.uint8)
    grey[:, 0, 0, 0] = 255
    grey[:, 0, 1, 1] = 128
    painted = paint(grey, np.array([3, 7]))
    np.testing.assert_array_equal(painted[0, :, 0, 0], PALETTE[3])
    np.testing.assert_array_equal(painted[1, :, 1, 1], PALETTE[7].astype(int) * 128 // 255)
    assert (painted[:, :, 0, 1] == 0).all()  # background stays black


def test_validation_is_held_out_and_train_subsampled(mnist):
    arrays = build_cmnist(mnist, config(train_fraction=0.7))
    assert len(arrays["train_labels"]) == round(0.7 * 800)
    np.testing.assert_array_equal(arrays["val80_labels"], mnist["train_labels"][800:])
    np.testing.assert_array_equal(arrays["val50_labels"], mnist["train_labels"][800:])


def test_too_many_validation_images_is_a_clear_error(mnist):
    with pytest.raises(UserError, match="validation_images=1000 must be smaller than the 1000 MNIST training images"):
        build_cmnist(mnist, config(validation_images=1000))


def test_pooled_levels_keep_a_seeded_fraction_of_every_levels_training_images(mnist):
    from aelab.config.datasets import CmnistPoolConfig
    from aelab.data.cmnist import pool_cmnist

    levels = [config(rho=rho, seed=0) for rho in (0.01, 0.2)]
    pool = CmnistPoolConfig(levels=["a", "b"], fraction=0.7, seed=5)
    pooled = pool_cmnist(mnist, levels, pool)
    per_level = 1000 - 200
    assert len(pooled["train_images"]) == round(0.7 * 2 * per_level)
    # each kept image is one of a level's training images, with that level's colour and flag
    built = [build_cmnist(mnist, level) for level in levels]
    every = {
        name: np.concatenate([b[name] for b in built]) for name in ("train_images", "train_colours", "train_biased")
    }
    index = {
        image.tobytes() + bytes([colour]): biased
        for image, colour, biased in zip(
            every["train_images"], every["train_colours"], every["train_biased"], strict=True
        )
    }
    for image, colour, biased in zip(
        pooled["train_images"], pooled["train_colours"], pooled["train_biased"], strict=True
    ):
        assert index[image.tobytes() + bytes([colour])] == biased
    # both levels contribute, in proportion; conflicting share is between the two levels' rho
    assert 0.01 < 1 - pooled["train_biased"].mean() < 0.2
    for name in ("test_images", "test_colours", "val80_images"):
        np.testing.assert_array_equal(pooled[name], built[0][name])
    again = pool_cmnist(mnist, levels, pool)
    np.testing.assert_array_equal(again["train_images"], pooled["train_images"])
    other = pool_cmnist(mnist, levels, pool.model_copy(update={"seed": 6}))
    assert not np.array_equal(other["train_labels"], pooled["train_labels"])
