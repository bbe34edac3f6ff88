"""Whole directories and `--jobs`: what a search checks and skips, and a report that does not depend on N.

The worker-crash tests inject a real fault below our code: a registered check that kills its own process
with SIGKILL (as a crashing native library or the kernel's out-of-memory killer would) or returns a value
that cannot be pickled. The worker really dies or really fails to send its report back, and the engine's
own recovery runs; nothing of the engine is replaced. Forked workers inherit the patched registry, so these
tests need the fork start method that the engine uses on Linux.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
from pathlib import Path

import pytest

import checker.evaluation.checks
import checker.evaluation.reference
from benchmarks.interrupts import MOMENTS, Command, Redrawn, interrupt, interrupts, templates, uninterrupted
from checker.cli import main
from checker.evaluation.options import CheckOptions
from checker.findings import FileReport
from checker.run.files import check_file
from checker.run.parallel import DIED
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE

OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE)
QUEUE_ONLY = "Resources:\n  Orders:\n    Type: AWS::SQS::Queue\n"
forked_workers = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="faults are injected into forked workers")


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as raised:
        code = raised.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def repository(root: Path) -> Path:
    """A repository as CI meets it: templates at several depths, broken and foreign files, tool directories."""
    shutil.copy(REFERENCE, root / "order-processing.yaml")
    write(root, "stacks/queue.yaml", QUEUE_ONLY)
    write(root, "stacks/deep/er/table.json", '{"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}}}\n')
    write(root, "stacks/broken.yaml", "Resources: [\n")
    write(root, "stacks/commented-out.yaml", "# Resources:\n#   Orders: {Type: AWS::SQS::Queue}\n")
    for index in range(40):  # enough files for workers to take several at a time
        write(root, f"many/queue-{index:02}.yaml", QUEUE_ONLY.replace("Orders", f"Orders{index}"))
    write(root, "k8s/pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
    write(root, ".github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    write(root, "README.md", "```yaml\n" + QUEUE_ONLY + "```\n")
    write(root, "node_modules/pkg/template.yaml", QUEUE_ONLY)
    write(root, "stacks/cdk.out/Stack.template.json", '{"Resources": {}}\n')
    write(root, ".git/config.json", "{}\n")
    (root / "stacks" / "moved.yaml").symlink_to(root / "gone.yaml")
    return root


def test_a_repository_is_checked_skipped_and_listed_the_same_for_any_number_of_jobs(capsys, tmp_path) -> None:
    root = repository(tmp_path)
    outputs = {}
    for jobs in ("1", "2", "4"):
        for form in ("json", "text"):
            outputs[jobs, form] = run(
                capsys, "check", str(root), "--no-cfn-lint", "--format", form, "--color", "never", "--jobs", jobs
            )
    for jobs in ("2", "4"):
        assert outputs[jobs, "json"] == outputs["1", "json"]
        assert outputs[jobs, "text"] == outputs["1", "text"]
    code, out, err = outputs["1", "json"]
    assert (code, err) == (2, "")
    document = json.loads(out)
    assert [(file["path"], file["status"]) for file in document["files"]] == [
        (str(root / "order-processing.yaml"), "compliant"),
        *[(str(root / f"many/queue-{index:02}.yaml"), "non_compliant") for index in range(40)],
        (str(root / "stacks/broken.yaml"), "invalid"),
        (str(root / "stacks/queue.yaml"), "non_compliant"),
        (str(root / "stacks/deep/er/table.json"), "non_compliant"),
        (str(root / "stacks/moved.yaml"), "invalid"),  # a dangling link: unreadable, never a silent skip
    ]
    assert document["skipped"] == [
        {"path": str(root / ".git"), "reason": "version-control metadata: not searched (name the directory to search it)"},
        {"path": str(root / ".github/workflows/ci.yml"), "reason": "a GitHub Actions workflow, not a CloudFormation template"},
        {"path": str(root / "k8s/pod.yaml"), "reason": "a Kubernetes manifest, not a CloudFormation template"},
        {
            "path": str(root / "node_modules"),
            "reason": "installed npm packages: not searched (name the directory to search it)",
        },
        {
            "path": str(root / "stacks/cdk.out"),
            "reason": "CDK synthesis output (generated templates): not searched (name the directory to search it)",
        },
        {"path": str(root / "stacks/commented-out.yaml"), "reason": "the file holds only comments or an empty document"},
    ]
    severities = [finding["severity"] for file in document["files"] for finding in file["findings"]]
    assert outputs["1", "text"][1].splitlines()[-1] == (
        f"45 files: 1 compliant, 42 non-compliant, 2 invalid; {severities.count('error')} errors, "
        f"{severities.count('warning')} warnings; 6 skipped"
    )


def test_a_named_tool_directory_is_searched(capsys, tmp_path) -> None:
    root = repository(tmp_path)
    _, out, _ = run(capsys, "check", str(root / "node_modules"), "--no-cfn-lint", "--format", "json")
    document = json.loads(out)
    assert [file["path"] for file in document["files"]] == [str(root / "node_modules/pkg/template.yaml")]
    assert document["skipped"] == []


def test_a_path_inside_a_tool_directory_is_searched_and_its_own_tool_directories_are_not(capsys, tmp_path) -> None:
    root = repository(tmp_path)
    write(root, "node_modules/pkg/node_modules/dep/template.yaml", QUEUE_ONLY)
    _, out, _ = run(capsys, "check", str(root / "node_modules/pkg"), "--no-cfn-lint", "--format", "json")
    document = json.loads(out)
    assert [file["path"] for file in document["files"]] == [str(root / "node_modules/pkg/template.yaml")]
    assert [item["path"] for item in document["skipped"]] == [str(root / "node_modules/pkg/node_modules")]


def test_a_tool_directory_named_beside_its_parent_is_searched_once_and_not_listed_as_skipped(capsys, tmp_path) -> None:
    root = repository(tmp_path)
    cdk = str(root / "stacks/cdk.out")
    _, out, _ = run(capsys, "check", str(root / "stacks"), cdk, cdk + "/", "--no-cfn-lint", "--format", "json")
    document = json.loads(out)
    assert [file["path"] for file in document["files"]] == [
        *(str(root / name) for name in ("stacks/broken.yaml", "stacks/queue.yaml", "stacks/deep/er/table.json")),
        str(root / "stacks/cdk.out/Stack.template.json"),
        str(root / "stacks/moved.yaml"),  # unreadable inputs come last
    ]
    assert [item["path"] for item in document["skipped"]] == [str(root / "stacks/commented-out.yaml")]


def test_a_skipped_file_met_twice_is_listed_once(capsys, tmp_path) -> None:
    root = repository(tmp_path)
    _, out, _ = run(capsys, "check", str(root / "k8s"), str(root / "k8s") + "/", "--no-cfn-lint", "--format", "json")
    assert [item["path"] for item in json.loads(out)["skipped"]] == [str(root / "k8s/pod.yaml")]


@pytest.mark.parametrize("jobs", ["0", "-2", "two", "1.5", ""])
def test_jobs_must_be_a_positive_whole_number(capsys, jobs) -> None:
    code, out, err = run(capsys, "check", str(REFERENCE), "--jobs", jobs)
    assert (code, out) == (2, "")
    assert (
        err.splitlines()[-1]
        == f"cfn-compliance: error: argument --jobs: expects a whole number of processes, 1 or more, got {jobs!r}"
    )


def test_cfn_lint_runs_in_worker_processes(capsys, tmp_path) -> None:
    shutil.copy(FIXTURES / "rules/TPL002/fail/memory-size-above-maximum.yaml", tmp_path / "big.yaml")
    shutil.copy(FIXTURES / "rules/TPL002/pass/clean-queue.json", tmp_path / "clean.json")
    argv = ("check", str(tmp_path), "--format", "json", "--rule", "TPL002")
    serial, parallel = run(capsys, *argv, "--jobs", "1"), run(capsys, *argv, "--jobs", "2")
    assert parallel == serial
    files = json.loads(parallel[1])["files"]
    assert [(file["path"], file["results"][0]["status"]) for file in files] == [
        (str(tmp_path / "big.yaml"), "fail"),
        (str(tmp_path / "clean.json"), "pass"),
    ]
    assert files[0]["findings"][0]["message"] == "cfn-lint E3034: 99999 is greater than the maximum of 32768"


def test_reports_survive_pickling() -> None:
    """Workers send reports back pickled: every field of a full report (side-by-side included) must travel."""
    report = check_file(str(REFERENCE), OPTIONS)
    assert report.reference and report.results
    assert pickle.loads(pickle.dumps(report)) == report


@forked_workers
def test_a_worker_killed_while_checking_costs_only_that_files_verdict(monkeypatch, tmp_path) -> None:
    root = repository(tmp_path)
    write(root, "many/queue-17.yaml", QUEUE_ONLY.replace("Orders", "Doomed"))  # shares its batch with neighbours
    expected = check_paths([str(root)], OPTIONS, jobs=1)
    parent = os.getpid()
    real_check = checker.evaluation.checks.REGISTRY["order_queue_is_standard"]

    def killed_on_doomed(context):
        if "Doomed" in context.template.resources and os.getpid() != parent:  # never the test process itself
            os.kill(os.getpid(), signal.SIGKILL)
        return real_check(context)

    monkeypatch.setitem(checker.evaluation.checks.REGISTRY, "order_queue_is_standard", killed_on_doomed)
    report = check_paths([str(root)], OPTIONS, jobs=2)
    doomed = str(root / "many/queue-17.yaml")
    assert [file.path for file in report.files] == [file.path for file in expected.files]
    assert [file for file in report.files if file.path != doomed] == [file for file in expected.files if file.path != doomed]
    assert report.skipped == expected.skipped
    crashed = next(file for file in report.files if file.path == doomed)
    assert crashed.status == "invalid"
    assert [(finding.rule_id, finding.message) for finding in crashed.findings] == [("TPL001", DIED[0].upper() + DIED[1:] + ".")]


@forked_workers
def test_a_report_that_cannot_travel_back_is_made_in_the_parent(monkeypatch, tmp_path) -> None:
    for index in range(40):
        write(tmp_path, f"queue-{index:02}.yaml", QUEUE_ONLY.replace("Orders", "Odd" if index == 5 else "Orders"))
    real_compare = checker.evaluation.reference.compare_with_reference

    def unpicklable_for_odd(resolved, arch):
        matches = real_compare(resolved, arch)
        return (*matches, lambda: None) if "Odd" in resolved.resources else matches

    monkeypatch.setattr(checker.evaluation.reference, "compare_with_reference", unpicklable_for_odd)
    report = check_paths([str(tmp_path)], OPTIONS, jobs=2)
    assert [file.path for file in report.files] == [str(tmp_path / f"queue-{index:02}.yaml") for index in range(40)]
    assert all(isinstance(file, FileReport) and file.status == "non_compliant" for file in report.files)
    assert callable(report.files[5].reference[-1])  # made in this process: nothing was pickled
    assert not any(callable(match) for file in report.files[:5] + report.files[6:] for match in file.reference)


class _Doomed:
    def __del__(self) -> None:
        raise KeyboardInterrupt  # what Ctrl-C does when its handler runs inside a finalizer


def _dropped_at_once() -> None:
    _Doomed()  # its finalizer runs here, where Python can only report what it raises as "Exception ignored"


class _CtrlCInAFinalizer:
    """Travels back from a worker; unpickled in the parent, it is a Ctrl-C landing in a finalizer there."""

    def __reduce__(self):
        return _dropped_at_once, ()


@forked_workers
def test_ctrl_c_landing_in_a_finalizer_still_stops_the_run(capsys, monkeypatch, tmp_path) -> None:
    for index in range(40):
        write(tmp_path, f"queue-{index:02}.yaml", QUEUE_ONLY.replace("Orders", "Odd" if index == 5 else "Orders"))
    real_compare = checker.evaluation.reference.compare_with_reference

    def interrupted_for_odd(resolved, arch):
        matches = real_compare(resolved, arch)
        return (*matches, _CtrlCInAFinalizer()) if "Odd" in resolved.resources else matches

    monkeypatch.setattr(checker.evaluation.reference, "compare_with_reference", interrupted_for_odd)
    with pytest.raises(KeyboardInterrupt):
        check_paths([str(tmp_path)], OPTIONS, jobs=2)
    assert multiprocessing.active_children() == []
    assert capsys.readouterr().err == ""


LINUX_PROC = pytest.mark.skipif(
    not Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists(), reason="watches the run through Linux's /proc"
)


@LINUX_PROC
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_the_run_quietly_with_the_sigint_exit_code(jobs, tmp_path) -> None:
    """SIGINT to the run's process group, as Ctrl-C sends it, as soon as the run is past the interpreter's own
    start-up (a signal before that is not ours to handle): with --jobs 2, as the first worker appears."""
    stop = interrupt(Command(templates(tmp_path, 300), jobs), "start-up", 0.0)
    assert stop is not None, "the run ended before it could be interrupted"
    assert (stop.code, stop.stderr, stop.left) == (130, "cfn-compliance: interrupted\n", ()), stop


@LINUX_PROC
def test_ctrl_c_at_random_moments_stops_every_run_cleanly(tmp_path) -> None:
    """A short run of benchmarks/interrupts.py's loop: start-up, mid-run and the last file, twice each."""
    command = Command(templates(tmp_path, 150), jobs=2)
    stops = list(interrupts(command, len(MOMENTS) * 2, 7, uninterrupted(command, runs=1), Redrawn()))
    assert [stop for stop in stops if not stop.clean] == []


def test_reports_from_workers_share_their_repeated_texts(tmp_path: Path) -> None:
    """Each file's report crosses from its worker in a pickle of its own; the texts every file repeats (titles,
    remediations, not-applicable messages, component names) arrive as one string each, not one per file."""
    model = FIXTURES / "reports" / "model-response.yaml"
    for name in ("a.yaml", "b.yaml"):
        shutil.copyfile(model, tmp_path / name)
    options = CheckOptions(cfn_lint=False, today=CHECK_DATE)
    first, second = check_paths([str(tmp_path)], options, jobs=2).files
    assert first.findings[0].remediation is second.findings[0].remediation
    messages = [(a.message, b.message) for a, b in zip(first.results, second.results, strict=True) if a.message]
    assert messages and all(a is b for a, b in messages)
    assert first.reference[0].component is second.reference[0].component
    alone = check_paths([str(tmp_path / "a.yaml")], options, jobs=1).files[0]
    assert (first.findings, first.results, first.reference) == (alone.findings, alone.results, alone.reference)
    assert pickle.loads(pickle.dumps(first)) == first
