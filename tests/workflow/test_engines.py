"""Snakemake and DVC run the same smoke study, produce the same artefacts, and cache it."""

import json
import os
from contextlib import contextmanager

import pytest

from aelab import paths
from aelab.config.loading import load_params
from aelab.config.tasks import EVALUATION_TASKS
from tests.conftest import ROOT
from tests.workflow.conftest import artefacts, crossval_stages, git, run, variant_stages

pytestmark = pytest.mark.workflow


def test_both_engines_build_the_same_artefacts(snakemake_project, dvc_project):
    produced = artefacts(snakemake_project)
    assert produced == artefacts(dvc_project)
    params = load_params(snakemake_project / "params.yaml")
    for variant in params.variants:
        for path in (
            paths.checkpoint(variant, 0),
            paths.task_metrics(variant, "reconstruction"),
            paths.task_figure(variant, "reconstruction", "reconstructions", 0),
        ):
            assert str(path) in produced
    for task in EVALUATION_TASKS:
        for variant in params.task_variants(task):
            assert str(paths.task_metrics(variant, task)) in produced
    assert str(paths.report_html()) in produced
    for variant in params.evaluation.crossval.variants:
        assert str(paths.crossval_metrics(variant)) in produced
    for variant in params.evaluation.devices.variants:
        assert {
            str(paths.devices_metrics(variant)),
            str(paths.devices_history(variant, "cpu", 0)),
            str(paths.devices_figures(variant) / "loss_curves.png"),
        } <= produced
    for dataset in params.evaluation.sample_quality.classifier.datasets:
        assert {str(paths.classifier_model(dataset)), str(paths.classifier_metrics(dataset))} <= produced
    for dataset in params.datasets.ids:
        for path in (paths.processed_file(dataset), paths.dataset_manifest(dataset), paths.dataset_samples(dataset)):
            assert str(path) in produced


def test_both_engines_build_the_same_datasets(snakemake_project, dvc_project):
    import numpy as np

    for dataset in load_params(dvc_project / "params.yaml").datasets.ids:
        with (
            np.load(snakemake_project / paths.processed_file(dataset)) as a,
            np.load(dvc_project / paths.processed_file(dataset)) as b,
        ):
            assert a.keys() == b.keys()
            for name in a:
                np.testing.assert_array_equal(a[name], b[name], err_msg=f"{dataset}: {name}")


def test_both_engines_compute_the_same_metrics(snakemake_project, dvc_project):
    params = load_params(dvc_project / "params.yaml")
    metrics = [paths.task_metrics(variant, task) for task in EVALUATION_TASKS for variant in params.task_variants(task)]
    metrics += [paths.crossval_metrics(variant) for variant in params.evaluation.crossval.variants]
    for path in metrics:
        by_snakemake = json.loads((snakemake_project / path).read_text())
        by_dvc = json.loads((dvc_project / path).read_text())
        assert by_snakemake == by_dvc, path
    for variant in params.evaluation.devices.variants:  # the same losses; only the seconds differ
        by_snakemake, by_dvc = (
            json.loads((project / paths.devices_metrics(variant)).read_text())
            for project in (snakemake_project, dvc_project)
        )
        assert {k: v for k, v in by_snakemake.items() if "seconds" not in k} == {
            k: v for k, v in by_dvc.items() if "seconds" not in k
        }
    for dataset in params.evaluation.sample_quality.classifier.datasets:
        by_snakemake = json.loads((snakemake_project / paths.classifier_metrics(dataset)).read_text())
        by_dvc = json.loads((dvc_project / paths.classifier_metrics(dataset)).read_text())
        assert by_snakemake["test_accuracy"] == by_dvc["test_accuracy"], dataset


def test_second_snakemake_run_does_nothing(snakemake_project):
    result = run(["snakemake", "--cores", "2"], snakemake_project)
    assert "Nothing to be done" in result.stdout + result.stderr


def test_second_dvc_repro_does_nothing(dvc_project):
    assert "Data and pipelines are up to date." in run(["dvc", "status"], dvc_project).stdout
    assert "Running stage" not in run(["dvc", "repro"], dvc_project).stdout


@contextmanager
def edited_params(project, old: str, new: str, ran: bool = True):
    """params.yaml with one text replaced; the project is restored afterwards: its files, and the outputs a DVC run
    changed (``ran``: the test ran the edited study, not only planned it)."""
    params_file = project / "params.yaml"
    original = params_file.read_text()
    assert old in original
    params_file.write_text(original.replace(old, new))
    try:
        yield
    finally:
        params_file.write_text(original)
        git("checkout", "--", ".", cwd=project)  # dvc.lock and the small metrics first,
        if ran:
            run(["dvc", "checkout", "-q"], project)  # then the cached outputs that lock names


def stages_run_by_repro(project) -> set[str]:
    output = run(["dvc", "repro"], project).stdout
    return {line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage")}


CHANGED_VARIANT = "mlp-vae"
"""The variant whose params the change tests edit: a VAE (diagnostics) of small models in five stages."""


def test_changed_param_reruns_its_variant_and_shows_in_metrics_diff(dvc_project):
    with edited_params(dvc_project, "hidden: [64], latent_dim: 4", "hidden: [64], latent_dim: 3"):
        assert stages_run_by_repro(dvc_project) == variant_stages(dvc_project, CHANGED_VARIANT) | {"check", "report"}
        diff = json.loads(run(["dvc", "metrics", "diff", "--json"], dvc_project).stdout)
        changed = diff[str(paths.task_metrics(CHANGED_VARIANT, "reconstruction"))]
        assert changed["bce"]["old"] != changed["bce"]["new"]
        assert str(paths.task_metrics(CHANGED_VARIANT, "diagnostics")) in diff
        assert str(paths.task_metrics("vae-baseline", "reconstruction")) not in diff
        table = run(["dvc", "metrics", "diff", "--md"], dvc_project).stdout
        assert f"| results/variants/{CHANGED_VARIANT}/metrics/reconstruction.json | bce" in table
        plots = json.loads(run(["dvc", "plots", "diff", "--json", "HEAD"], dvc_project).stdout)["data"]
        (curves,) = plots[str(paths.history(CHANGED_VARIANT, 0))]
        by_revision = {}
        for row in curves["content"]["data"]["values"]:
            by_revision.setdefault(row["rev"], []).append(row["test_loss"])
        assert set(by_revision) == {"HEAD", "workspace"} and by_revision["HEAD"] != by_revision["workspace"]


def test_changed_dataset_param_rebuilds_only_that_dataset_and_its_variants(dvc_project):
    with edited_params(dvc_project, "rho: 0.1", "rho: 0.05"):
        assert stages_run_by_repro(dvc_project) == {
            "check",
            "colourise@cmnist",
            "pool_cmnist@cmnist-pooled",
            "report",
        } | variant_stages(dvc_project, "ae-deep-cmnist") | crossval_stages(dvc_project)


def test_snakemake_and_dvc_plan_the_same_commands_and_outputs(snakemake_project, dvc_project):
    """The contract: every DVC stage is a Snakemake job with the same command and outputs."""
    from dvc.repo import Repo

    with Repo(str(dvc_project)) as repo:
        dvc_plan = {command(stage.cmd): {str(out) for out in stage.outs} for stage in repo.index.stages}
    assert dvc_plan.pop("python -m aelab check") == set()  # DVC's params check; the Snakefile checks as it parses

    summary = run(["snakemake", "--detailed-summary"], snakemake_project).stdout.splitlines()
    header = summary[0].split("\t")
    snakemake_plan: dict[str, set[str]] = {}
    for line in summary[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        snakemake_plan.setdefault(command(row["shellcmd"]), set()).add(row["output_file"])
    assert snakemake_plan == dvc_plan


def test_dvc_plots_render_every_variants_loss_curves(dvc_project):
    rendered = json.loads(run(["dvc", "plots", "show", "--json"], dvc_project).stdout)
    assert "errors" not in rendered
    for variant in load_params(dvc_project / "params.yaml").variants:
        (plot,) = rendered["data"][str(paths.history(variant, 0))]
        rows = plot["content"]["data"]["values"]
        assert {row["dvc_inferred_y_value"] for row in rows}  # train and test loss are drawn
        assert {"train_loss", "test_loss", "epoch"} <= set(rows[0])


def test_dvc_checks_params_yaml_when_no_stage_reads_the_changed_key(dvc_project):
    """An unknown top-level key changes no stage's params, yet dvc repro refuses it, naming it."""
    with edited_params(dvc_project, "\ntraining:\n", "\nlearning_rte: 0.1\ntraining:\n", ran=False):
        result = run(["dvc", "repro"], dvc_project, check=False)
        assert result.returncode != 0
        assert "learning_rte: unknown key" in result.stdout + result.stderr


def test_every_engine_refuses_a_repeated_key_naming_its_line(dvc_project, snakemake_project):
    """aelab's loader (the CLI's and the Snakefile's) and DVC's own YAML reader both refuse it."""
    expected = {
        "snakemake": "params.yaml, line 27: key 'epochs' is repeated (first on line 26)",
        "dvc": 'found duplicate key "epochs"',
    }
    for project, command in ((dvc_project, ["dvc", "repro"]), (snakemake_project, ["snakemake", "--cores", "1"])):
        with edited_params(project, "  epochs: 2\n", "  epochs: 2\n  epochs: 3\n", ran=False):
            result = run(command, project, check=False)
            output = result.stdout + result.stderr
            assert result.returncode != 0 and expected[command[0]] in output, command
            assert "line 27" in output, command


def dvc_stage_reads(project):
    """Each DVC stage's params keys and code paths, by stage name (``train@vae-baseline``)."""
    from dvc.repo import Repo

    reads = {}
    with Repo(str(project)) as repo:
        for stage in repo.index.stages:
            keys = {key for dep in stage.deps if hasattr(dep, "params") for key in dep.params}
            code = {str(dep.def_path) for dep in stage.deps if str(dep.def_path).startswith("src/")}
            reads[stage.name] = (keys, code)
    return reads


def test_every_dvc_stage_reads_what_the_pipeline_table_says(dvc_project):
    """DVC reads, for every stage, exactly the params keys and code of aelab.pipeline.stages (the Snakemake rules'
    params and code inputs are built from it too)."""
    from aelab.pipeline.dvc_yaml import code_deps
    from aelab.pipeline.stages import STAGES

    reads = dvc_stage_reads(dvc_project)
    assert {name.split("@")[0] for name in reads} == set(STAGES)
    for name, (keys, code) in reads.items():
        stage, _, subject = name.partition("@")
        assert keys == set(STAGES[stage].keys(subject)), name
        assert code == set(code_deps(STAGES[stage])), name


DIRECT = {"updated input files", "set of input files changed", "params changed"}
"""Snakemake's status of an output whose job's own inputs (code included) or params changed."""


def command(shell: str) -> str:
    """A job's or stage's shell command without what only its engine adds: thread counts (Snakemake passes each
    rule's threads, DVC the classifier's one) and logging."""
    return shell.split(" 2>")[0].split(" --threads")[0]


def snakemake_summary(project) -> list[dict[str, str]]:
    """One row per output: its job's rule, shell command, status and plan (`snakemake --detailed-summary`)."""
    summary = run(["snakemake", "--detailed-summary"], project).stdout.splitlines()
    header = summary[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in summary[1:]]


def snakemake_direct_changes(project, summary=None) -> set[str]:
    """The commands of the jobs whose own params or inputs changed."""
    rows = summary or snakemake_summary(project)
    return {command(row["shellcmd"]) for row in rows if row["status"] in DIRECT and row["shellcmd"] != "-"}


def dvc_direct_changes(project) -> set[str]:
    """The commands of the stages `dvc status` finds changed, but DVC's params check (Snakemake checks as it
    starts)."""
    from dvc.repo import Repo

    status = json.loads(run(["dvc", "status", "--json"], project).stdout)
    with Repo(str(project)) as repo:
        commands = {stage.name: command(stage.cmd) for stage in repo.index.stages}
    return {commands[name] for name in status if name != "check"}


@pytest.mark.parametrize(
    ("section", "old", "new"),
    [
        ("datasets", "rho: 0.1", "rho: 0.05"),
        ("training", "\n  learning_rate: 1.0e-3\n", "\n  learning_rate: 2.0e-3\n"),
        ("evaluation", "active_threshold: 0.01", "active_threshold: 0.02"),
        ("variants", "beta: 4.0", "beta: 2.0"),
        ("studies", "Keras-style conv models", "Keras-style convolutional models"),
    ],
)
def test_both_engines_rerun_the_same_stages_for_a_change_of_each_section(
    snakemake_project, dvc_project, section, old, new
):
    with edited_params(snakemake_project, old, new, ran=False), edited_params(dvc_project, old, new, ran=False):
        by_snakemake, by_dvc = snakemake_direct_changes(snakemake_project), dvc_direct_changes(dvc_project)
    assert by_snakemake == by_dvc, section
    assert "python -m aelab report" in by_dvc and (section == "studies" or len(by_dvc) > 1), by_dvc


@contextmanager
def edited_code(project, relative: str):
    """A source file of the project with one line added (newer and of other content); afterwards its content and
    modification time are restored, so neither engine sees a change."""
    path = project / relative
    original, status = path.read_text(), path.stat()
    path.write_text(original + "# a changed default would change this file\n")
    try:
        yield
    finally:
        path.write_text(original)
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def test_a_changed_default_of_the_typed_params_reruns_the_same_stages_in_both_engines(snakemake_project, dvc_project):
    """Model defaults live in config/models.py: both engines rerun exactly the stages whose code imports it (the
    trainings, the classifiers, the evaluations, the report), nothing else (no dataset is rebuilt). Snakemake sees
    each job's code in its params, so it names every one of them as changed, as DVC does."""
    from dvc.repo import Repo

    from aelab.pipeline.stages import STAGES, code_files

    module = "src/aelab/config/models.py"
    with edited_code(snakemake_project, module), edited_code(dvc_project, module):
        summary, by_dvc = snakemake_summary(snakemake_project), dvc_direct_changes(dvc_project)
    reading = {stage for stage in STAGES if any(file.endswith("config/models.py") for file in code_files(stage, ROOT))}
    with Repo(str(dvc_project)) as repo:
        rerun = reading - {"check"}
        expected = {command(stage.cmd) for stage in repo.index.stages if stage.name.split("@")[0] in rerun}
    assert by_dvc == expected
    assert not any(shell.startswith(("python -m aelab preprocess", "python -m aelab colourise")) for shell in by_dvc)
    assert snakemake_direct_changes(snakemake_project, summary) == by_dvc
