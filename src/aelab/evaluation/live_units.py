"""Live units of a trained encoder's last ReLU layer: how many of its features fire for any test image.

A ReLU unit that outputs 0 for every input has died: no gradient reaches its
weights, so it does not come back, and what follows it sees a constant. The
Keras-style conv models end their encoder in a 16-unit ReLU Dense layer
(docs/study.md 2.1). When all 16 die, the code is the same for every image: a
VAE's KL falls to 0 and its decoder learns the mean digit, as the stride-1 VAE
did in two seeds of the architecture study. The code is an affine function of
the live units, so it varies in at most as many directions as there are.

Not a pipeline task: it reads the checkpoints, which git does not keep (they
are in the DVC cache of the machine that trained them, and on a DVC remote
where one is pushed); ``aelab units`` runs it on demand, on the checkpoints
that are there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab.errors import UserError
from aelab.evaluation.context import Context

if TYPE_CHECKING:
    from aelab.config.params import Params
    from aelab.data.loading import Split


@dataclass(frozen=True)
class LiveUnits:
    """One seed's count: ``live`` of the layer's ``units`` fired for at least one of ``images`` test images."""

    seed: int
    live: int
    units: int
    images: int


@torch.no_grad()
def count_live_units(encoder: nn.Module, images: torch.Tensor, batch_size: int) -> tuple[int, int]:
    """(live, all) output units of ``encoder``: a unit is live when it is positive for at least one image."""
    fired = torch.stack([(encoder(batch) > 0).any(0) for batch in images.split(batch_size)]).any(0)
    return int(fired.sum()), fired.numel()


def relu_encoder(model: nn.Module, variant_id: str) -> nn.Module:
    """The model's encoder, checked to end in a ReLU: for another activation "fires" has no meaning."""
    encoder = getattr(model, "encoder", None)
    layers = [module for module in encoder.modules() if not any(module.children())] if encoder else []
    if not isinstance(encoder, nn.Module) or not layers or not isinstance(layers[-1], nn.ReLU):
        last = type(layers[-1]).__name__ if layers else "no encoder module"
        raise UserError(f"{variant_id}: its encoder does not end in a ReLU layer ({last}); live units need one")
    return encoder


def variant_live_units(params: Params, variant_id: str, device: torch.device) -> list[LiveUnits]:
    """Each seed's live units, over the whole test split of the variant's dataset."""
    splits: dict[tuple[str, str], Split] = {}
    counts = []
    for seed in params.variant(variant_id).seeds:
        ctx = Context.load(params, variant_id, seed, device, splits)
        images = ctx.test.images
        live, units = count_live_units(relu_encoder(ctx.model, variant_id), images, ctx.settings.batch_size)
        counts.append(LiveUnits(seed, live, units, len(images)))
    return counts
