"""The stage table: each stage's code is the import closure of its own modules, and dvc.yaml is generated from it."""

from pathlib import Path

import pytest
import yaml

from aelab.pipeline.code import ROOT, closure, direct_imports, module_file
from aelab.pipeline.dvc_yaml import dvc_yaml
from aelab.pipeline.stages import IN_REPOSITORY, STAGES, code_files
from tests.conftest import ROOT as REPOSITORY


def test_the_committed_dvc_yaml_is_what_the_generator_writes():
    committed = (REPOSITORY / "dvc.yaml").read_text()
    assert committed == dvc_yaml(), "run: python -m aelab dvc_yaml > dvc.yaml"


def test_the_committed_dvc_lock_records_each_stage_with_the_command_of_dvc_yaml():
    """A recorded command that differs from dvc.yaml's makes `dvc status` call the stage changed and `dvc repro`
    run it again, though its outputs are the published ones."""
    from dvc.repo import Repo

    recorded = yaml.safe_load((REPOSITORY / "dvc.lock").read_text())["stages"]
    with Repo(str(REPOSITORY)) as repo:
        commands = {stage.name: stage.cmd for stage in repo.index.stages}
    assert recorded.keys() <= commands.keys()
    assert {name: stage["cmd"] for name, stage in recorded.items()} == {name: commands[name] for name in recorded}


def dvc_code_deps(stage: str) -> set[Path]:
    """The source files a dvc.yaml stage depends on, its folders expanded (without bytecode caches)."""
    definition = yaml.safe_load((REPOSITORY / "dvc.yaml").read_text())["stages"][stage]
    deps = definition.get("do", definition)["deps"]
    files = set()
    for dep in (REPOSITORY / dep for dep in deps if dep.startswith(IN_REPOSITORY)):
        found = dep.rglob("*") if dep.is_dir() else [dep]
        files |= {path for path in found if path.is_file() and "__pycache__" not in path.parts}
    return files


@pytest.mark.parametrize("stage", list(STAGES))
def test_both_engines_depend_on_the_import_closure_of_the_stages_own_modules(stage):
    expected = {module_file(module) for module in closure(STAGES[stage].modules)}
    expected |= {ROOT / file for file in STAGES[stage].files}
    assert {Path(file) for file in code_files(stage, REPOSITORY)} == expected  # Snakemake's code inputs
    assert dvc_code_deps(stage) == expected  # DVC's


def test_the_module_that_averages_over_seeds_reruns_what_it_averages():
    """The stale-result hole: aelab.aggregation computes every mean and std and was in no stage's dependencies."""
    aggregation = ROOT / "aggregation.py"
    for stage in ("train", "crossvalidate", "devices", "reconstruction", "latent", "diagnostics"):
        assert str(aggregation) in code_files(stage, REPOSITORY), stage


def test_a_stage_depends_on_its_own_code_not_on_every_stage():
    """The CLI imports every stage; a stage's closure starts from its own modules."""
    train = set(code_files("train", REPOSITORY))
    assert not any("/evaluation/" in file or "/report/" in file or "/data/cmnist" in file for file in train)
    preprocess = set(code_files("preprocess", REPOSITORY))
    assert not any("/models/" in file or "/training/" in file for file in preprocess)
    latent, diagnostics = set(code_files("latent", REPOSITORY)), set(code_files("diagnostics", REPOSITORY))
    assert str(ROOT / "evaluation" / "latent.py") in latent - diagnostics  # each task its own module


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "aelab"
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text)
    return package


def test_imports_are_found_in_functions_relative_and_typing_only_forms(tmp_path):
    package = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "stage.py": "from aelab.sub import leaf\nfrom . import plain\n"
            "def run():\n    from .sub.inner import thing\n"
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from aelab.types import Kind\n",
            "plain.py": "import os\n",
            "sub/__init__.py": "",
            "sub/leaf.py": "",
            "sub/inner.py": "thing = 1\n",
            "types.py": "",
            "unused.py": "",
        },
    )
    assert direct_imports("aelab.stage", package) == {
        "aelab",
        "aelab.sub",
        "aelab.sub.leaf",
        "aelab.plain",
        "aelab.sub.inner",
        "aelab.types",
    }
    assert "aelab.unused" not in closure(("aelab.stage",), package)
