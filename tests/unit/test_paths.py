"""Artefact paths: an id that would lead out of its folder is refused, whichever function it reaches."""

import inspect
from pathlib import Path

import pytest

from aelab import paths

FUNCTIONS = [
    function
    for name, function in inspect.getmembers(paths, inspect.isfunction)
    if not name.startswith("_") and function.__module__ == paths.__name__
]
ESCAPES = ["../../results/variants/x/train", "/etc/passwd", "a/b", "..", ".", "", "a\\b"]


def ids(function) -> list[str]:
    """The parameters that take an id (a string); the others are numbers (seeds, folds)."""
    return [name for name, parameter in inspect.signature(function).parameters.items() if parameter.annotation is str]


def call(function, **ids_given):
    parameters = inspect.signature(function).parameters
    return function(
        *[ids_given.get(name, "x") if parameter.annotation is str else 0 for name, parameter in parameters.items()]
    )


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.__name__)
@pytest.mark.parametrize("bad", ESCAPES)
def test_no_id_can_lead_a_path_out_of_its_folder(function, bad):
    for name in ids(function):
        with pytest.raises(ValueError, match="cannot name a file or folder of the study"):
            call(function, **{name: bad})


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda function: function.__name__)
def test_every_path_stays_inside_the_project(function):
    path = Path(call(function))
    assert not path.is_absolute() and ".." not in path.parts


def test_placeholders_of_the_generated_dvc_yaml_are_plain_names():
    assert str(paths.checkpoints_dir("${key}")) == "results/variants/${key}/models"
