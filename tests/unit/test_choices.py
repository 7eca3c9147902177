"""The table of choices is generated from params.yaml and the code, and the committed docs/choices.md is current."""

import fnmatch
import re

from aelab.config.loading import load_params
from aelab.config.params import Params
from aelab.report.choices import CHOICES, lookup, markdown, resolved_tree, rows
from tests.conftest import ROOT


def test_docs_choices_is_what_the_generator_writes_for_params_yaml():
    committed = (ROOT / "docs" / "choices.md").read_text()
    assert committed == markdown(load_params(ROOT / "params.yaml")), "run: python -m aelab choices > docs/choices.md"


def test_every_params_key_of_the_table_exists_in_the_study():
    """A renamed key or variant must not silently drop a row from the published study's table."""
    tree = resolved_tree(load_params(ROOT / "params.yaml"))
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


def leaf_keys(tree: object, prefix: str = "") -> list[str]:
    """Every dotted key whose value is not a mapping (lists and nulls included)."""
    if not isinstance(tree, dict):
        return [prefix]
    return [key for name, value in tree.items() for key in leaf_keys(value, f"{prefix}.{name}" if prefix else name)]


def matches(pattern: str, key: str) -> bool:
    """A dotted pattern matches a key of as many parts, part by part (fnmatch)."""
    wanted, parts = pattern.split("."), key.split(".")
    return len(wanted) == len(parts) and all(
        fnmatch.fnmatchcase(part, w) for part, w in zip(parts, wanted, strict=True)
    )


def under(pattern: str, key: str) -> bool:
    """A choice covers the key it names and every key under it: choices.md shows its whole value (a noise, say)."""
    return any(matches(pattern, ".".join(key.split(".")[:depth])) for depth in range(1, key.count(".") + 2))


def documented_in_study() -> list[str]:
    """The key patterns docs/study.md section 6 names (published values, structure and presentation)."""
    text = (ROOT / "docs" / "study.md").read_text()
    section = text[text.index("## 6.") :]
    found = re.findall(r"`([a-z*][\w*?.-]*)`", section)
    return [pattern for pattern in found if pattern.split(".")[0] in Params.model_fields]


def unexplained(params: Params) -> list[str]:
    """The leaf keys of the params that docs/study.md does not name as published or structure (a leaf pattern each:
    a key added under a published one is not published by it) and no choice covers."""
    published, chosen = documented_in_study(), [key for choice in CHOICES for key in choice.keys]
    return [
        key
        for key in leaf_keys(resolved_tree(params))
        if not any(matches(pattern, key) for pattern in published) and not any(under(key_, key) for key_ in chosen)
    ]


def test_every_key_of_params_yaml_is_published_listed_as_a_choice_or_structure():
    """A value that is neither named as published in docs/study.md nor listed in choices.md would pass as a
    replication while it is a choice."""
    found = unexplained(load_params(ROOT / "params.yaml"))
    assert not found, "name these in docs/study.md section 6 or in aelab.report.choices: " + ", ".join(found[:20])


def test_a_key_added_under_a_published_one_is_named():
    """Training noise under a beta-VAE is neither the published no-noise nor a denoiser's listed choice."""
    params = load_params(ROOT / "params.yaml")
    variants = dict(params.variants)
    dae_noise = variants["noise-dae"].training.noise
    beta4 = variants["vae-beta4"]
    variants["vae-beta4"] = beta4.model_copy(
        update={"training": beta4.training.model_copy(update={"noise": dae_noise})}
    )
    found = unexplained(params.model_copy(update={"variants": variants}))
    assert found == ["variants.vae-beta4.training.noise.kind", "variants.vae-beta4.training.noise.std"]


def test_every_key_pattern_docs_study_names_exists_in_the_study():
    keys = leaf_keys(resolved_tree(load_params(ROOT / "params.yaml")))
    for pattern in documented_in_study():
        assert any(matches(pattern, key) for key in keys), f"docs/study.md names {pattern}, which matches no leaf key"
