"""Report headings: metric keys in words, with units and the better direction."""

import pytest

from aelab.report.columns import HIGHER, LOWER, describe


@pytest.mark.parametrize(
    ("key", "heading", "better"),
    [
        ("gaussian_0p4_psnr_output", "PSNR out, Gaussian σ 0.4 (dB) ↑", HIGHER),
        ("salt_and_pepper_0p1_mse_input_native", "MSE in, salt & pepper 0.1, [-1, 1] scale", None),
        ("speckle_0p4_mse_output", "MSE out, speckle σ 0.4 ↓", LOWER),
        ("random15_mse_hole", "MSE in the hole, random 15×15 holes ↓", LOWER),
        ("fixed10_mse_image", "MSE over the image, fixed 10×10 hole ↓", LOWER),
        ("frechet_distance_full_cov", "Fréchet distance, full-cov. Gaussian ↓", LOWER),
        ("active_units_seed2", "active units, seed 2", None),
        ("kl_dim3", "KL of z[3] (nats)", None),
        ("fold0_loss", "held-out loss, fold 1", None),
        ("something_new", "something_new", None),
    ],
)
def test_metric_keys_read_as_words(key, heading, better):
    column = describe(key)
    assert (column.heading, column.better) == (heading, better)
