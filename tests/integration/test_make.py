"""The Makefile's entry points as a user types them: a typo in what to run stops before Snakemake starts.

Snakemake's default target is the whole study (about a day of two cores), so a
selection that falls through to it is the costliest typo there is. The project
here has no Snakefile: a Snakemake that starts anyway says so ("no Snakefile"),
and the test sees it without running anything.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, SMOKE_PARAMS, link_environment

ENVIRONMENT_FILES = ("Makefile", "pyproject.toml", "requirements/lock.txt")


@pytest.fixture
def project(tmp_path):
    """The Makefile and the smoke params, with this test run's environment as the project's set-up ``.venv``."""
    for name in ENVIRONMENT_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copy(SMOKE_PARAMS, tmp_path / "params.yaml")
    link_environment(tmp_path / ".venv")
    return tmp_path


def make(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-C", str(project), *arguments], capture_output=True, text=True, timeout=120)


def assert_stopped_before_snakemake(result: subprocess.CompletedProcess, unknown: str, kind: str = "study") -> None:
    assert result.returncode == 2
    assert f"aelab targets: error: unknown {kind} '{unknown}'; params.yaml defines: " in result.stderr
    assert "Snakefile" not in result.stdout + result.stderr


@pytest.mark.parametrize("selection", [("STUDY=typo",), ("VARIANT=vae-baseline typo",)])
def test_make_study_stops_on_an_unknown_id(project, selection):
    result = make(project, "study", *selection)
    assert_stopped_before_snakemake(result, "typo", "study" if selection[0].startswith("STUDY") else "variant")


def test_make_publish_checks_every_study_before_the_first_starts(project):
    result = make(project, "publish", "STUDY=mlp typo")
    assert_stopped_before_snakemake(result, "typo")
    assert "make publish: --study=mlp" not in result.stdout  # mlp, which is known, did not start either


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        ((), 'make publish: name what to publish: STUDY="<id> ..." or VARIANT="<id> ..."'),
        (("STUDY=mlp", "VARIANT=mlp-m1"), "make publish: STUDY or VARIANT, not both"),
    ],
)
def test_make_publish_needs_one_selection(project, selection, message):
    result = make(project, "publish", *selection)
    assert result.returncode == 2
    assert message in result.stderr and "Snakefile" not in result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("id") is None or subprocess.getoutput("id -u") != "0", reason="needs root")
def test_make_debian_says_what_it_installs_and_why_before_installing(project):
    """On a machine without SLURM or Chromium (a PATH without them), as root: the packages are named with what the
    tests use them for, then installed (by a stand-in for apt-get that logs its calls: the real one would change
    this machine)."""
    bare = project / "bare-bin"
    bare.mkdir()
    (bare / "id").symlink_to(shutil.which("id"))
    apt_get = project / "apt-get"
    apt_get.write_text(f'#!/bin/sh\necho "apt-get $1"\necho "$*" >> {project / "apt.log"}\n')
    apt_get.chmod(0o755)
    result = subprocess.run(
        [shutil.which("make"), "-C", str(project), "debian", f"APT_GET={apt_get}"],
        capture_output=True,
        text=True,
        env={"PATH": str(bare)},
    )
    assert result.returncode == 0, result.stderr
    said = result.stdout
    announced = said.index(f"make debian: installing Debian packages with {apt_get} (root):")
    assert "slurmctld slurmd slurm-client munge: a one-node SLURM cluster" in said
    assert "chromium chromium-driver: the headless browser that opens the HTML report" in said
    assert announced < said.index("apt-get update")  # said before anything is installed
    assert (project / "apt.log").read_text().splitlines() == [
        "update -qq",
        "install -y -qq slurmctld slurmd slurm-client munge chromium chromium-driver",
    ]
