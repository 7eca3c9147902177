"""Atomic writes: a failed write never replaces the previous good file."""

import os

import pytest

from aelab.io import atomic_directory, atomic_path, write_json


def test_failed_write_keeps_previous_content(tmp_path):
    target = tmp_path / "metrics.json"
    write_json(target, {"mse": 1.0})
    with pytest.raises(RuntimeError), atomic_path(target) as temporary:
        temporary.write_text("{partial")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == '{\n  "mse": 1.0\n}\n'
    assert os.listdir(tmp_path) == ["metrics.json"]


def test_written_files_get_the_umask_mode_not_mkstemp_0600(tmp_path):
    write_json(tmp_path / "a.json", {})
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o666 & ~_current_umask()


def test_failed_directory_keeps_previous_directory(tmp_path):
    target = tmp_path / "figures"
    with atomic_directory(target) as staging:
        (staging / "good.png").write_text("x")
    with pytest.raises(RuntimeError), atomic_directory(target) as staging:
        (staging / "half.png").write_text("x")
        raise RuntimeError
    assert [p.name for p in target.iterdir()] == ["good.png"]
    assert [p.name for p in tmp_path.iterdir()] == ["figures"]


def _current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
