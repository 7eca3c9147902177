"""params.yaml validation: bad input stops with a message naming the key."""

import json

import pytest
import yaml

from aelab.config.base import ParamsError
from aelab.config.loading import json_schema, load_params
from tests.conftest import ROOT, SMOKE_PARAMS


def write_params(tmp_path, mutate):
    raw = yaml.safe_load(SMOKE_PARAMS.read_text())
    mutate(raw)
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_shipped_params_files_are_valid():
    for path in (ROOT / "params.yaml", SMOKE_PARAMS):
        params = load_params(path)
        assert "vae-baseline" in params.variants


def test_unknown_top_level_key_is_named(tmp_path):
    path = write_params(tmp_path, lambda raw: raw.update(learning_rte=0.1))
    with pytest.raises(ParamsError) as error:
        load_params(path)
    assert str(path) in str(error.value)
    assert "learning_rte: unknown key" in str(error.value)


def test_unknown_nested_key_is_named_with_its_path(tmp_path):
    path = write_params(tmp_path, lambda raw: raw["variants"]["vae-baseline"]["model"].update(latnt_dim=3))
    with pytest.raises(ParamsError, match=r"variants\.vae-baseline\.model\.latnt_dim: unknown key"):
        load_params(path)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda raw: raw["variants"]["vae-baseline"]["model"].update(latent_dim=0),
            r"variants\.vae-baseline\.model\.latent_dim: Input should be greater than 0 \(got 0\)",
        ),
        (
            lambda raw: raw["variants"]["vae-baseline"]["model"].update(loss="hinge"),
            r"variants\.vae-baseline\.model\.loss: Input should be 'bce' or 'mse' \(got 'hinge'\)",
        ),
        (lambda raw: raw["training"].update(epochs=-1), r"training\.epochs: Input should be greater than 0 \(got -1\)"),
        (
            lambda raw: raw["variants"]["vae-baseline"]["model"].update(family="transformer"),
            r"variants\.vae-baseline\.model: .*'conv_vae', 'conv_ae'.*\(got",
        ),
        (lambda raw: raw["training"].pop("batch_size"), r"training\.batch_size: required key is missing"),
        (
            lambda raw: raw["variants"].update({"Bad_Id": raw["variants"]["vae-baseline"]}),
            r"variants\.Bad_Id\.\[key\]: String should match pattern",
        ),
    ],
)
def test_bad_values_name_key_and_allowed_values(tmp_path, mutate, expected):
    with pytest.raises(ParamsError, match=expected):
        load_params(write_params(tmp_path, mutate))


def test_variant_must_use_a_declared_dataset(tmp_path):
    path = write_params(tmp_path, lambda raw: raw["variants"]["vae-baseline"].update(dataset="svhn"))
    with pytest.raises(
        ParamsError, match="variants.vae-baseline.dataset is 'svhn', which is not declared under 'datasets'"
    ):
        load_params(path)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw["datasets"]["idx"].pop("mnist"), "cmnist dataset 'cmnist' needs idx dataset 'mnist'"),
        (lambda raw: raw["datasets"].update(coco_image_sets=[]), r"reads image sets \['val2017'\] that are not in"),
        (
            lambda raw: raw["datasets"]["coco"].update(cmnist=raw["datasets"]["coco"]["coco64"]),
            "dataset id 'cmnist' is used in two sections",
        ),
        (
            lambda raw: raw["datasets"]["idx"].update(svhn={"train_images": 1, "test_images": 1}),
            r"datasets\.idx\.svhn\.\[key\]: Input should be 'mnist' or 'fashion_mnist'",
        ),
        (
            lambda raw: raw["datasets"]["cmnist"]["cmnist"].update(rho=1.5),
            r"datasets\.cmnist\.cmnist\.rho: Input should be less than or equal to 1 \(got 1.5\)",
        ),
        (
            lambda raw: raw["datasets"]["coco"]["coco64"].update(image_sets=["test2017"]),
            r"datasets\.coco\.coco64\.image_sets\.0: Input should be 'val2017' or 'train2017'",
        ),
    ],
)
def test_dataset_sections_are_cross_checked(tmp_path, mutate, expected):
    with pytest.raises(ParamsError, match=expected):
        load_params(write_params(tmp_path, mutate))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda raw: raw["evaluation"]["sample_quality"]["classifier"].update(datasets=["mnist"]),
            "lists 'mlp-vae', whose dataset 'fashion_mnist' is missing from "
            "evaluation.sample_quality.classifier.datasets",
        ),
        (
            lambda raw: raw["evaluation"]["sample_quality"]["classifier"]["datasets"].append("coco64"),
            "classifier.datasets lists 'coco64', which is not a labelled dataset",
        ),
        (
            lambda raw: raw["evaluation"]["sample_quality"]["variants"].append("coco-skip"),
            "sample_quality needs a decoder that works from a code alone, on a labelled dataset",
        ),
        (
            lambda raw: raw["evaluation"]["crossval"]["variants"].append("vae-nope"),
            r"evaluation.crossval.variants lists variants \['vae-nope'\] that are not defined",
        ),
        (
            lambda raw: raw["evaluation"]["crossval"].update(folds=1),
            r"evaluation\.crossval\.folds: Input should be greater than or equal to 2",
        ),
    ],
)
def test_sample_quality_and_crossval_settings_are_cross_checked(tmp_path, mutate, expected):
    with pytest.raises(ParamsError, match=expected):
        load_params(write_params(tmp_path, mutate))


def test_crossval_epochs_shorten_only_the_crossval_runs():
    params = load_params(SMOKE_PARAMS)
    assert params.crossval_training_for("vae-baseline").epochs == params.evaluation.crossval.epochs
    assert params.training_for("vae-baseline").epochs == params.training.epochs


def test_missing_file_and_bad_yaml_are_named(tmp_path):
    with pytest.raises(ParamsError, match="nope.yaml: params file not found"):
        load_params(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("seed: [1,\n")
    with pytest.raises(ParamsError, match="broken.yaml: not valid YAML"):
        load_params(broken)


def test_variant_training_overrides_inherit_the_rest(tmp_path):
    path = write_params(tmp_path, lambda raw: raw["variants"]["vae-baseline"].update(training={"epochs": 7}))
    params = load_params(path)
    assert params.training_for("vae-baseline").epochs == 7
    assert params.training_for("vae-baseline").batch_size == params.training.batch_size
    assert params.training_for("ae-baseline").epochs == params.training.epochs


def test_unknown_variant_lists_known_ones():
    with pytest.raises(ParamsError, match="unknown variant 'nope'; params.yaml defines: vae-baseline"):
        load_params(SMOKE_PARAMS).variant("nope")


def test_checked_in_schema_matches_the_typed_params():
    """workflow/schemas/params.schema.json is generated: regenerate with `python -m aelab schema`."""
    checked_in = json.loads((ROOT / "workflow" / "schemas" / "params.schema.json").read_text())
    assert checked_in == json_schema()


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda raw: raw["training"].update(epochs=True),
            r"training\.epochs: Input should be a valid integer \(got True\)",
        ),
        (
            lambda raw: raw["training"].update(epochs="2"),
            r"training\.epochs: Input should be a valid integer \(got '2'\)",
        ),
        (
            lambda raw: raw["training"].update(learning_rate="1e-3"),
            r"training\.learning_rate: Input should be a valid number",
        ),
        (
            lambda raw: raw["datasets"]["coco"]["coco64"].update(grey="no"),
            r"coco64\.grey: Input should be a valid boolean",
        ),
    ],
)
def test_types_are_strict_as_in_the_json_schema(tmp_path, mutate, expected):
    """What Snakemake's JSON-schema check refuses, the typed params refuse too (no bool-as-int, no string numbers)."""
    with pytest.raises(ParamsError, match=expected):
        load_params(write_params(tmp_path, mutate))


def test_an_integer_is_a_number(tmp_path):
    assert (
        load_params(write_params(tmp_path, lambda raw: raw["training"].update(learning_rate=1))).training.learning_rate
        == 1.0
    )


def test_a_variant_named_like_a_model_family_keeps_its_name_in_errors(tmp_path):
    def rename(raw):
        raw["variants"]["mlp_ae"] = raw["variants"].pop("mlp-denoise")
        raw["variants"]["mlp_ae"]["model"]["latent_dim"] = 0
        for section in ("latent", "manifold", "generation", "denoising", "crossval"):
            listed = raw["evaluation"][section]["variants"]
            raw["evaluation"][section]["variants"] = ["mlp_ae" if v == "mlp-denoise" else v for v in listed]
        raw["studies"]["mlp"]["variants"] = [
            "mlp_ae" if v == "mlp-denoise" else v for v in raw["studies"]["mlp"]["variants"]
        ]

    with pytest.raises(ParamsError, match=r"  variants\.mlp_ae\.model\.latent_dim: Input should be greater than 0"):
        load_params(write_params(tmp_path, rename))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda raw: raw["variants"]["mlp-denoise"]["training"]["noise"].update(amount=2),
            r"  variants\.mlp-denoise\.training\.noise\.amount: Input should be less than or equal to 1",
        ),
        (
            lambda raw: raw["evaluation"]["denoising"]["noise"][0].update(std=-1),
            r"  evaluation\.denoising\.noise\.0\.std: Input should be greater than 0",
        ),
    ],
)
def test_a_noise_error_names_the_noise_key_without_the_union_tag(tmp_path, mutate, expected):
    with pytest.raises(ParamsError, match=expected):
        load_params(write_params(tmp_path, mutate))


def test_a_cross_reference_error_names_the_key_and_does_not_print_the_params(tmp_path):
    path = write_params(tmp_path, lambda raw: raw["studies"]["conv"]["variants"].append("vae-missing"))
    with pytest.raises(ParamsError) as error:
        load_params(path)
    message = str(error.value)
    assert "studies.conv.variants lists variants ['vae-missing'] that are not defined under 'variants'" in message
    assert "learning_rate" not in message and len(message) < 400


@pytest.mark.parametrize(
    ("text", "first", "line", "key"),
    [
        ("variants: {}\nvariants: {}\n", 1, 2, "variants"),
        ("training:\n  epochs: 2\n  batch_size: 4\n  epochs: 3\n", 2, 4, "epochs"),
    ],
)
def test_a_repeated_key_is_refused_with_its_line(tmp_path, text, first, line, key):
    path = tmp_path / "params.yaml"
    path.write_text(text)
    with pytest.raises(ParamsError) as error:
        load_params(path)
    message = str(error.value)
    assert (
        message == f"{path}, line {line}: key {key!r} is repeated (first on line {first}); "
        "the later value would silently win"
    )


def test_merge_keys_may_be_overridden_without_being_repeated(tmp_path):
    """YAML anchors with ``<<`` (params.yaml's own style) override merged keys: that is not a repetition."""
    text = SMOKE_PARAMS.read_text()
    assert "{<<: *cmnist, rho: 0.2}" in text
    load_params(SMOKE_PARAMS)


def test_every_families_capabilities_are_its_configs():
    """What a model can do is said once, by its config class; the built model reports the same."""
    from pydantic import TypeAdapter

    from aelab.config.models import ModelConfig
    from aelab.models.base import VariationalAutoencoder
    from aelab.models.registry import build_model

    params = load_params(ROOT / "params.yaml")
    seen = set()
    for variant in params.variants.values():
        config = TypeAdapter(ModelConfig).validate_python(variant.model.model_dump())
        key = (config.family, config.needs_labels, config.generative)
        if key in seen:
            continue
        seen.add(key)
        model = build_model(config, params.datasets.image_shape(variant.dataset))
        assert model.variational == config.variational == isinstance(model, VariationalAutoencoder)
        assert (model.conditional, model.generative) == (config.needs_labels, config.generative)
    assert {family for family, _, _ in seen} == {"conv_vae", "conv_ae", "mlp_ae", "mlp_vae", "coco_conv"}
