"""Typed params: the one schema that params.yaml must satisfy, one topic per module.

Every value the pipeline uses lives in params.yaml and is checked here before
any work starts. Unknown keys and repeated keys are rejected (a misspelled,
stale or doubled key must not pass silently), types are strict, and an error
names the file, the key path and what is allowed. Site settings (data mirror,
device, threads) are deliberately *not* params: they live in :mod:`aelab.site`,
so moving a study to a GPU or another mirror never invalidates its results.

Modules, each importing only those above it: ``base`` -> ``noise``,
``datasets`` -> ``training``, ``models`` -> ``tasks`` -> ``params`` -> ``loading``.
"""

from aelab.config.base import ParamsError, StrictModel
from aelab.config.datasets import CmnistConfig, CmnistPoolConfig, CocoConfig, DatasetsConfig, IdxDatasetConfig
from aelab.config.loading import json_schema, load_params, read_yaml
from aelab.config.models import (
    MODEL_FAMILIES,
    CocoConvConfig,
    ConvAEConfig,
    ConvFamilyConfig,
    ConvRegularisation,
    ConvVAEConfig,
    MlpAEConfig,
    MlpFamilyConfig,
    MlpVAEConfig,
    ModelConfig,
)
from aelab.config.noise import GaussianNoise, NoiseConfig, SaltAndPepperNoise, SpeckleNoise
from aelab.config.params import Params, StudyConfig, VariantConfig
from aelab.config.tasks import EVALUATION_TASKS, TASKS, EvaluationConfig, InpaintingConfig, TaskSpec
from aelab.config.training import TrainingConfig, TrainingOverride

__all__ = [
    "EVALUATION_TASKS",
    "MODEL_FAMILIES",
    "TASKS",
    "CmnistConfig",
    "CmnistPoolConfig",
    "CocoConfig",
    "CocoConvConfig",
    "ConvAEConfig",
    "ConvFamilyConfig",
    "ConvRegularisation",
    "ConvVAEConfig",
    "DatasetsConfig",
    "EvaluationConfig",
    "GaussianNoise",
    "IdxDatasetConfig",
    "InpaintingConfig",
    "MlpAEConfig",
    "MlpFamilyConfig",
    "MlpVAEConfig",
    "ModelConfig",
    "NoiseConfig",
    "Params",
    "ParamsError",
    "SaltAndPepperNoise",
    "SpeckleNoise",
    "StrictModel",
    "StudyConfig",
    "TaskSpec",
    "TrainingConfig",
    "TrainingOverride",
    "VariantConfig",
    "json_schema",
    "load_params",
    "read_yaml",
]
