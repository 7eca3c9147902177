"""`record` writes to dvc.lock the runs that happened, and only those (a real DVC project of two small stages)."""

import subprocess
import sys

import yaml

from aelab.pipeline.recording import record

PIPELINE = {
    "stages": {
        # a published stage whose output git keeps, like an evaluation's metrics
        "score": {"cmd": "cp data.txt score.json", "deps": ["data.txt"], "outs": [{"score.json": {"cache": False}}]},
        "later": {"cmd": "cp data.txt later.txt", "deps": ["data.txt"], "outs": ["later.txt"]},
        # a stage without outputs, like `check`: only its dependencies show that it ran
        "check": {"cmd": "test -s data.txt", "deps": ["data.txt"]},
    }
}


def lock_entries(project):
    return yaml.safe_load((project / "dvc.lock").read_text())["stages"]


def test_record_keeps_the_entry_of_a_stage_that_did_not_run_again(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where `python -m aelab record` runs
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(PIPELINE))
    (tmp_path / "data.txt").write_text("the first machine's data\n")
    (tmp_path / "score.json").write_text("the first machine's data\n")  # the job ran, as Snakemake runs it

    first = record()
    assert (first.stages, first.not_run, first.standing) == (["check", "score"], ["later"], [])
    published = lock_entries(tmp_path)["score"]

    # A new machine: git brought score.json back, the data is this machine's own. The stage did not run here.
    (tmp_path / "data.txt").write_text("a new machine's data\n")
    again = record()
    assert (again.stages, again.standing) == (["check"], ["score"])
    assert lock_entries(tmp_path)["score"] == published

    # It runs: its new output is recorded with what it ran on.
    (tmp_path / "score.json").write_text("a new machine's data\n")
    assert record().stages == ["score"]  # check: its data is the one recorded already
    rerun = lock_entries(tmp_path)["score"]
    assert rerun["deps"] != published["deps"] and rerun["outs"] != published["outs"]
