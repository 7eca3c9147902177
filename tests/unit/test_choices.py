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


def covers(pattern: str, key: str) -> bool:
    """A pattern covers a key it matches part by part (fnmatch), or any key under it."""
    wanted, parts = pattern.split("."), key.split(".")
    return len(wanted) <= len(parts) and all(
        fnmatch.fnmatchcase(part, w) for part, w in zip(parts, wanted, strict=False)
    )


def documented_in_study() -> list[str]:
    """The key patterns docs/study.md section 6 names (published values, structure and presentation)."""
    text = (ROOT / "docs" / "study.md").read_text()
    section = text[text.index("## 6.") :]
    found = re.findall(r"`([a-z*][\w*?.-]*)`", section)
    return [pattern for pattern in found if pattern.split(".")[0] in Params.model_fields]


def test_every_key_of_params_yaml_is_published_listed_as_a_choice_or_structure():
    """A value that is neither named as published in docs/study.md nor listed in choices.md would pass as a
    replication while it is a choice."""
    patterns = documented_in_study() + [key for choice in CHOICES for key in choice.keys]
    keys = leaf_keys(resolved_tree(load_params(ROOT / "params.yaml")))
    unexplained = [key for key in keys if not any(covers(pattern, key) for pattern in patterns)]
    assert not unexplained, "name these in docs/study.md section 6 or in aelab.report.choices: " + ", ".join(
        unexplained[:20]
    )


def test_every_key_pattern_docs_study_names_exists_in_the_study():
    keys = leaf_keys(resolved_tree(load_params(ROOT / "params.yaml")))
    for pattern in documented_in_study():
        assert any(covers(pattern, key) for key in keys), f"docs/study.md names {pattern}, which matches no key"
