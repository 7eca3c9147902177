"""VAE diagnostics: KL per latent dimension and the number of active units.

A unit u is active when its posterior mean moves with the input:
Cov_x(E_q[z_u | x]) > threshold (Burda et al. 2016, Importance Weighted
Autoencoders, section 5.2; threshold 0.01). Inactive units carry ~0 KL: the
posterior collapsed to the prior there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import torch

from aelab.evaluation.tasks import FigureWriter, Task
from aelab.models.losses import gaussian_kl_per_dim
from aelab.plotting import figures as plots

if TYPE_CHECKING:
    from aelab.evaluation.context import Context
    from aelab.models.base import VariationalAutoencoder


@torch.no_grad()
def posterior_statistics(ctx: Context) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean KL per dimension over the test set, and the variance over inputs of each posterior mean."""
    model = cast("VariationalAutoencoder", ctx.model)  # the task applies to variational models only
    means, kls = [], []
    for images in ctx.test.images.split(ctx.settings.batch_size):
        mu, logvar = model.posterior(images)
        means.append(mu.double())
        kls.append(gaussian_kl_per_dim(mu, logvar).double())
    return torch.cat(kls).mean(0), torch.cat(means).var(0)


def run(ctx: Context, figures: FigureWriter | None) -> dict[str, float]:
    kl, activity = posterior_statistics(ctx)
    active = activity > ctx.settings.diagnostics.active_threshold
    metrics = {"kl_total": float(kl.sum()), "active_units": int(active.sum())}
    metrics |= {f"kl_dim{index}": float(value) for index, value in enumerate(kl)}
    if figures:
        figures.save(plots.kl_per_dimension(kl.cpu().numpy(), active.cpu().numpy()), "kl_per_dimension")
    return metrics


TASK = Task(run, figures=("kl_per_dimension",), per_seed=("active_units", "kl_total"), every_seed_drawn=True)
