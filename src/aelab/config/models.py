"""Model families and what each can do (docs/study.md 2): ``model.family`` selects one.

What a family can do is said here, once, because params are checked against
it before anything imports torch (a task that needs a VAE refuses another
model at load time); the models read the same attributes from their config.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal, get_args

from pydantic import Field, model_validator

from aelab.config.base import StrictModel

Activation = Literal["relu", "sigmoid", "tanh", "leaky_relu", "elu"]
ConvArchitecture = Literal["base", "deep_stride2", "deep_stride1"]
ReconstructionLoss = Literal["bce", "mse"]
LatentDim = Annotated[int, Field(gt=0)]


class FamilyConfig(StrictModel):
    """What every family's config says about its model."""

    variational: ClassVar[bool] = False
    """A posterior q(z | x) and a prior: a KL term, diagnostics, samples of the prior."""

    @property
    def generative(self) -> bool:
        """Whether the decoder works from a code alone (not with pooling indices or skip features)."""
        return True

    @property
    def needs_labels(self) -> bool:
        """Whether the decoder reads the class label next to the code (a conditional model)."""
        return False

    @property
    def code_size(self) -> int | None:
        """Dimensions of the code, where the config alone says (a conv bottleneck's depends on the image)."""
        return getattr(self, "latent_dim", None)


class ConvRegularisation(StrictModel):
    """The regularisation ablation of docs/study.md 2.1 (all off by default).

    ``l1``/``l2``: Keras kernel penalties on every conv and dense kernel, added
    to the loss; ``dropout``: after the encoder's Flatten; ``batchnorm``: after
    every hidden conv (Keras momentum 0.99, epsilon 1e-3).
    """

    l1: Annotated[float, Field(ge=0)] = 0.0
    l2: Annotated[float, Field(ge=0)] = 0.0
    dropout: Annotated[float, Field(ge=0, lt=1)] = 0.0
    batchnorm: bool = False


class ConvFamilyConfig(FamilyConfig):
    """Shared by the Keras-style conv VAE and AE.

    ``architecture``: ``base`` (Conv 32/64), ``deep_stride2`` (a third stride-2
    conv with 128 filters; the decoder's first ConvT(128, kernel 4, stride 2,
    output padding 1) takes 4x4 back to 7x7) or ``deep_stride1`` (a third,
    stride-1 conv with 128 filters; decoder Dense(7*7*128) and ConvT 128/64/32
    with strides 2/2/1).
    """

    architecture: ConvArchitecture = "base"
    latent_dim: LatentDim
    loss: ReconstructionLoss
    regularisation: ConvRegularisation = ConvRegularisation()


class ConvVAEConfig(ConvFamilyConfig):
    """Keras-style convolutional VAE (docs/study.md 2.1): loss = reconstruction + beta * KL."""

    variational: ClassVar[bool] = True
    family: Literal["conv_vae"]
    beta: Annotated[float, Field(ge=0)]


class ConvAEConfig(ConvFamilyConfig):
    """Keras-style deterministic convolutional AE (docs/study.md 2.2)."""

    family: Literal["conv_ae"]


class MlpFamilyConfig(FamilyConfig):
    """Fully connected encoder ``hidden`` -> latent, mirrored decoder, sigmoid output (docs/study.md 2.4).

    ``conditional``: the decoder also gets the one-hot class label next to z,
    so digits can be generated on demand.
    """

    hidden: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=1)]
    latent_dim: LatentDim
    activation: Activation
    loss: ReconstructionLoss = "bce"
    conditional: bool = False

    @property
    def needs_labels(self) -> bool:
        return self.conditional


class MlpAEConfig(MlpFamilyConfig):
    """Deterministic MLP autoencoder: m1..m6 of docs/study.md 2.4."""

    family: Literal["mlp_ae"]


class MlpVAEConfig(MlpFamilyConfig):
    """MLP VAE (e.g. pytorch/examples' 784-400-20)."""

    variational: ClassVar[bool] = True
    family: Literal["mlp_vae"]
    beta: Annotated[float, Field(ge=0)] = 1.0


class CocoConvConfig(FamilyConfig):
    """Convolutional AEs for COCO 64x64 (docs/study.md 2.5), Tanh output in [-1, 1].

    Three levels with ``channels`` feature maps each take the image down 8x:
    by stride-2 convs (``downsample: stride``) or by MaxPool whose indices the
    decoder's MaxUnpool reuses (``maxpool``). The bottleneck is a Dense layer to
    ``latent_dim`` (``dense``) or the last feature map itself (``conv``);
    ``skip_connections`` add each encoder level to the decoder level of its size.
    """

    family: Literal["coco_conv"]
    channels: Annotated[list[Annotated[int, Field(gt=0)]], Field(min_length=3, max_length=3)]
    downsample: Literal["stride", "maxpool"]
    bottleneck: Literal["dense", "conv"]
    latent_dim: LatentDim | None = None
    skip_connections: bool = False
    activation: Literal["relu", "tanh"]
    batchnorm: bool
    loss: Literal["mse"] = "mse"

    @property
    def generative(self) -> bool:
        return not (self.downsample == "maxpool" or self.skip_connections)

    @model_validator(mode="after")
    def _design_is_consistent(self) -> CocoConvConfig:
        if self.bottleneck == "dense" and self.latent_dim is None:
            raise ValueError("a dense bottleneck needs latent_dim")
        if self.bottleneck == "conv" and self.latent_dim is not None:
            raise ValueError("latent_dim applies to a dense bottleneck only; a conv bottleneck is channels[-1] maps")
        if self.skip_connections and self.bottleneck == "dense":
            raise ValueError(
                "skip_connections need a conv bottleneck: a dense bottleneck is the only path to the decoder by design"
            )
        return self


FamilyConfigs = ConvVAEConfig | ConvAEConfig | MlpAEConfig | MlpVAEConfig | CocoConvConfig
"""Every family's config: a new family adds its class here (and to the registry of models)."""
VariationalConfigs = ConvVAEConfig | MlpVAEConfig
"""The configs of the families with a posterior and a prior (a ``beta`` on their KL term)."""
ModelConfig = Annotated[FamilyConfigs, Field(discriminator="family")]
MODEL_FAMILIES = tuple(
    get_args(member.model_fields["family"].annotation)[0] for member in get_args(get_args(ModelConfig)[0])
)
