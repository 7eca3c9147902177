"""Each noise model changes the inputs as specified and keeps them in [0, 1]."""

import pytest
import torch
from pydantic import TypeAdapter

from aelab.config.noise import NoiseConfig
from aelab.noise import NOISE_MODELS, add_noise

NOISE = TypeAdapter(NoiseConfig)
CONFIGS = {
    "gaussian": {"kind": "gaussian", "std": 0.4},
    "salt_and_pepper": {"kind": "salt_and_pepper", "amount": 0.3},
    "speckle": {"kind": "speckle", "std": 0.5},
}


def images() -> torch.Tensor:
    torch.manual_seed(0)
    return torch.rand(64, 1, 28, 28)


def test_every_noise_model_is_tested():
    assert set(CONFIGS) == set(NOISE_MODELS)


@pytest.mark.parametrize("kind", sorted(CONFIGS))
def test_noise_stays_in_range_and_leaves_the_input_untouched(kind):
    clean = images()
    original = clean.clone()
    noisy = add_noise(clean, NOISE.validate_python(CONFIGS[kind]))
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert not torch.equal(noisy, clean)
    assert torch.equal(clean, original)


def test_gaussian_noise_has_the_configured_spread_before_clipping():
    clean = torch.full((200_000,), 0.5)
    noisy = add_noise(clean, NOISE.validate_python({"kind": "gaussian", "std": 0.1}))
    assert (noisy - clean).std().item() == pytest.approx(0.1, rel=0.02)  # 5 sigma from the clip: unclipped


def test_salt_and_pepper_replaces_the_stated_fraction_with_black_or_white():
    clean = torch.full((200_000,), 0.5)
    noisy = add_noise(clean, NOISE.validate_python({"kind": "salt_and_pepper", "amount": 0.3}))
    hit = noisy != 0.5
    assert hit.float().mean().item() == pytest.approx(0.3, abs=0.01)
    assert set(noisy[hit].unique().tolist()) == {0.0, 1.0}
    assert (noisy[hit] == 1).float().mean().item() == pytest.approx(0.5, abs=0.01)


def test_speckle_is_multiplicative_so_black_stays_black():
    clean = torch.cat([torch.zeros(100_000), torch.full((100_000,), 0.5)])
    noisy = add_noise(clean, NOISE.validate_python({"kind": "speckle", "std": 0.2}))
    assert torch.equal(noisy[:100_000], clean[:100_000])
    assert (noisy[100_000:] - 0.5).std().item() == pytest.approx(0.5 * 0.2, rel=0.02)
