"""The table of choices is generated from params.yaml and the code, and the committed docs/choices.md is current."""

from aelab.config import load_params
from aelab.report.choices import CHOICES, lookup, markdown, rows
from tests.conftest import ROOT


def test_docs_choices_is_what_the_generator_writes_for_params_yaml():
    committed = (ROOT / "docs" / "choices.md").read_text()
    assert committed == markdown(load_params(ROOT / "params.yaml")), "run: python -m aelab choices > docs/choices.md"


def test_every_params_key_of_the_table_exists_in_the_study():
    """A renamed key or variant must not silently drop a row from the published study's table."""
    tree = load_params(ROOT / "params.yaml").model_dump(mode="json")
    for choice in CHOICES:
        for key in choice.keys:
            assert lookup(tree, key), f"{choice.topic}: {key} matches nothing in params.yaml"


def test_values_follow_params_and_name_what_differs():
    params = load_params(ROOT / "params.yaml")
    variants = dict(params.variants)
    dae = variants["noise-dae"]
    noise = dae.training.noise.model_copy(update={"std": 0.3})
    variants["noise-dae"] = dae.model_copy(update={"training": dae.training.model_copy(update={"noise": noise})})
    table = {row["topic"]: row["value"] for row in rows(params.model_copy(update={"variants": variants}))}
    assert table["Denoising conv AE (2.3): noise added to its training inputs"] == "gaussian, std 0.3"
    activation = table["COCO designs (2.5): hidden activation"]
    assert "relu (coco-dense16" in activation and "tanh (coco-fullyconv, coco-fullyconv-denoise)" in activation


def test_a_key_the_study_does_not_have_drops_its_row():
    smoke = load_params(ROOT / "tests" / "smoke" / "params.yaml")
    topics = {row["topic"] for row in rows(smoke)}
    assert not any(topic.startswith("15-epoch VAE") for topic in topics)
    assert "SSIM" in topics  # code values always apply
