"""Edge cases of the command line, as a demanding CI user meets them (red-team pins).

Each test states the behaviour the spec (README.md, issue 2) or a CI user expects. Tests that
pin a discrepancy say so in their docstring; they fail until the behaviour is fixed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checker.cli import main
from checker.evaluation.catalogue import load_catalogue
from tests.conftest import REFERENCE, ROOT

SCHEMA = json.loads((ROOT / "checker" / "data" / "report.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

QUEUE_ONLY = """\
Resources:
  Orders:
    Type: AWS::SQS::Queue
"""
ENCRYPTED_QUEUE = """\
Resources:
  Orders:
    Type: AWS::SQS::Queue
    Properties:
      SqsManagedSseEnabled: true
"""


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    """main() in-process; usage errors (SystemExit) count as their exit code."""
    try:
        code = main(list(argv))
    except SystemExit as raised:
        code = raised.code if isinstance(raised.code, int) else 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def run_process(*argv: str, timeout: float = 60, env: dict[str, str] | None = None, cwd: str | None = None):
    """The CLI as a separate process (for hangs, encodings and tracebacks)."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "checker.cli", *argv],
        capture_output=True,
        timeout=timeout,
        env=environment,
        cwd=cwd or str(ROOT),
    )


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return str(path)


def check_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, _ = run(capsys, "check", *argv, "--no-cfn-lint", "--format", "json")
    document = json.loads(out)
    VALIDATOR.validate(document)
    return code, document


def checked_paths(document: dict) -> list[str]:
    return [file["path"] for file in document["files"]]


def skipped_paths(document: dict) -> list[str]:
    return [item["path"] for item in document["skipped"]]


# --- exit codes ------------------------------------------------------------------------------


def test_invalid_beats_failing_beats_passing(capsys, tmp_path) -> None:
    broken = write(tmp_path, "broken.yaml", "Resources: [\n")
    failing = write(tmp_path, "failing.yaml", QUEUE_ONLY)
    for order in ((broken, failing, str(REFERENCE)), (str(REFERENCE), failing, broken)):
        code, document = check_json(capsys, *order)
        assert code == 2
        assert sorted(file["status"] for file in document["files"]) == ["compliant", "invalid", "non_compliant"]
    code, _ = check_json(capsys, failing, str(REFERENCE))
    assert code == 1


@pytest.mark.parametrize("fail_on", ["never", "error", "warning"])
def test_an_invalid_file_exits_2_whatever_the_threshold(capsys, tmp_path, fail_on) -> None:
    broken = write(tmp_path, "broken.yaml", "Resources: [\n")
    code, _, _ = run(capsys, "check", broken, str(REFERENCE), "--no-cfn-lint", "--fail-on", fail_on)
    assert code == 2


def test_only_tpl001_selected(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    code, document = check_json(capsys, path, "--rule", "TPL001")
    assert code == 0
    assert [result["rule_id"] for result in document["files"][0]["results"]] == ["TPL001"]
    assert document["files"][0]["status"] == "compliant"


def test_skipping_every_rule_is_a_command_line_error(capsys, tmp_path) -> None:
    """Discrepancy: with every rule skipped nothing is judged, yet the file is PASS and the run exits 0.
    A CI job whose selection went wrong would pass silently; an empty rule selection is a wrong command line."""
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    skip_all = [argument for rule in load_catalogue() for argument in ("--skip-rule", rule.id)]
    code, out, _err = run(capsys, "check", path, "--no-cfn-lint", *skip_all)
    assert code == 2
    assert "PASS" not in out


def test_selecting_and_skipping_the_same_rule_is_a_command_line_error(capsys, tmp_path) -> None:
    """Discrepancy: `--rule SEC005 --skip-rule SEC005` selects no rule and reports PASS with exit 0
    for a queue that is not encrypted."""
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--rule", "SEC005", "--skip-rule", "SEC005")
    assert code == 2
    assert "PASS" not in out


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "x.yaml", "--format", "yaml"],
        ["check", "x.yaml", "--color", "sometimes"],
        ["rules", "--format", "csv"],
        ["explain"],
        ["explain", ""],
        ["check", "x.yaml", "--parameter", "=x"],
        ["check", "x.yaml", "--parameter", "novalue"],
        ["check", "x.yaml", "--rule", "SEC002,NOPE004"],
    ],
)
def test_wrong_command_lines_exit_2_with_a_message(capsys, argv) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "error" in err and out == ""


def test_empty_path_argument_does_not_search_the_working_directory(capsys, tmp_path, monkeypatch) -> None:
    """Discrepancy: `cfn-compliance check "$TEMPLATE"` with TEMPLATE unset passes "" and the checker
    silently searches the current directory (Path("") is "."), exiting 0 on whatever it finds there."""
    (tmp_path / "stack.yaml").write_text(REFERENCE.read_text())
    monkeypatch.chdir(tmp_path)
    code, out, _err = run(capsys, "check", "", "--no-cfn-lint", "--color", "never")
    assert code == 2
    assert "stack.yaml" not in out


def test_a_missing_path_gets_an_invalid_verdict(capsys, tmp_path) -> None:
    missing = str(tmp_path / "nope" / "stack.yaml")
    code, document = check_json(capsys, missing)
    assert code == 2
    file = document["files"][0]
    assert file["status"] == "invalid" and file["path"] == missing
    assert "No such file" in file["findings"][0]["message"]


def test_a_directory_without_templates_exits_2_and_says_so(capsys, tmp_path) -> None:
    write(tmp_path, "README.md", "# nothing here\n")
    write(tmp_path, "config.yaml", "name: value\n")
    code, out, err = run(capsys, "check", str(tmp_path), "--no-cfn-lint", "--format", "json")
    assert code == 2
    assert "no templates found" in err
    document = json.loads(out)
    VALIDATOR.validate(document)
    assert document["files"] == [] and skipped_paths(document) == [str(tmp_path / "config.yaml")]


def test_version(capsys) -> None:
    from checker import __version__

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"cfn-compliance {__version__}"


# --- directory search ------------------------------------------------------------------------


def test_directory_search_skips_tool_directories_and_matches_extensions_case_insensitively(capsys, tmp_path) -> None:
    for directory in (".git", "node_modules", "cdk.out", ".aws-sam"):
        write(tmp_path, f"{directory}/stack.yaml", QUEUE_ONLY)
    for name in ("A.YAML", "B.Yml", "c.template", "d.yml"):
        write(tmp_path, name, QUEUE_ONLY)
    write(tmp_path, "E.JSON", '{\n  "Resources": {\n    "Q": {"Type": "AWS::SQS::Queue"}\n  }\n}\n')
    write(tmp_path, "notes.txt", QUEUE_ONLY)
    code, document = check_json(capsys, str(tmp_path))
    assert code == 1
    assert checked_paths(document) == [str(tmp_path / name) for name in ("A.YAML", "B.Yml", "E.JSON", "c.template", "d.yml")]
    assert skipped_paths(document) == [str(tmp_path / name) for name in (".aws-sam", ".git", "cdk.out", "node_modules")]


def test_directory_search_finds_a_minified_json_template(capsys, tmp_path) -> None:
    """Discrepancy: a one-line JSON template (json.dumps without indent, many generators) has no
    line starting with "Resources", so directory search skips it as 'no Resources ... section'."""
    write(tmp_path, "stack.json", json.dumps({"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}) + "\n")
    write(tmp_path, "described.json", json.dumps({"Description": "x", "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}))
    code, document = check_json(capsys, str(tmp_path))
    assert checked_paths(document) == [str(tmp_path / "described.json"), str(tmp_path / "stack.json")]
    assert document["skipped"] == []
    assert code == 1


def test_directory_search_finds_a_flow_style_yaml_template(capsys, tmp_path) -> None:
    """Discrepancy: `{Resources: {...}}` (YAML flow style) is skipped by directory search."""
    write(tmp_path, "flow.yaml", '{Resources: {Q: {Type: "AWS::SQS::Queue"}}}\n')
    _, document = check_json(capsys, str(tmp_path))
    assert checked_paths(document) == [str(tmp_path / "flow.yaml")]


def test_directory_search_finds_resources_after_64_kib(capsys, tmp_path) -> None:
    """Discrepancy: only the first 64 KiB are sniffed. A real template with large Mappings or Parameters
    before Resources (and no AWSTemplateFormatVersion) is skipped with the false reason
    'no Resources ... section', so CI never checks it and can still exit 0."""
    mappings = "Mappings:\n  AMI:\n" + "".join(f"    region{i}:\n      Image: ami-{i:017d}\n" for i in range(2500))
    write(tmp_path, "big.yaml", "Description: big\n" + mappings + QUEUE_ONLY)
    write(tmp_path, "good.yaml", REFERENCE.read_text())
    code, document = check_json(capsys, str(tmp_path))
    assert checked_paths(document) == [str(tmp_path / "big.yaml"), str(tmp_path / "good.yaml")]
    assert code == 1


def test_directory_search_skips_files_without_top_level_resources(capsys, tmp_path) -> None:
    """Discrepancy: the README says files found in a directory without Resources, AWSTemplateFormatVersion
    or Transform are skipped. A Serverless Framework file (resources: Resources: nested) or an OpenAPI
    document with a "Resources" property is instead judged INVALID, and the whole run exits 2."""
    write(tmp_path, "stack.yaml", REFERENCE.read_text())
    write(
        tmp_path,
        "serverless.yml",
        "service: orders\nprovider:\n  name: aws\nresources:\n  Resources:\n    Q:\n      Type: AWS::SQS::Queue\n",
    )
    write(
        tmp_path,
        "openapi.json",
        '{"openapi": "3.0.0", "components": {"schemas": {"X": {"properties": {\n  "Resources": {"type": "array"}}}}}}\n',
    )
    code, document = check_json(capsys, str(tmp_path))
    assert checked_paths(document) == [str(tmp_path / "stack.yaml")]
    assert sorted(skipped_paths(document)) == [str(tmp_path / "openapi.json"), str(tmp_path / "serverless.yml")]
    assert code == 0


def test_symlinks_in_a_directory_do_not_crash_or_loop(capsys, tmp_path) -> None:
    write(tmp_path, "stack.yaml", QUEUE_ONLY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "self").symlink_to(tmp_path)
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "does-not-exist.yaml")
    _code, document = check_json(capsys, str(tmp_path))
    # The loops are not followed; the dangling link cannot be read, so it is an invalid input, not a silent skip.
    assert checked_paths(document) == [str(tmp_path / "stack.yaml"), str(tmp_path / "dangling.yaml")]
    assert document["files"][1]["status"] == "invalid"


def test_an_unreadable_template_found_in_a_directory_fails_the_run(capsys, tmp_path) -> None:
    """Discrepancy (judgement call): a *.yaml that cannot be read (here a dangling symlink; in real life a
    permission problem) is listed as skipped and the run exits 0. Whether it is a template is unknown,
    so 'an input could not be evaluated' (exit 2) is what a CI gate needs; skipping is for files that are
    plainly not CloudFormation."""
    write(tmp_path, "stack.yaml", REFERENCE.read_text())
    (tmp_path / "other.yaml").symlink_to(tmp_path / "moved-away.yaml")
    code, _ = check_json(capsys, str(tmp_path))
    assert code == 2


def test_an_unlistable_subdirectory_is_not_ignored_silently(capsys, tmp_path, monkeypatch) -> None:
    """Discrepancy: os.walk() without onerror drops directories it cannot list, without a word."""
    write(tmp_path, "stack.yaml", REFERENCE.read_text())
    write(tmp_path, "locked/hidden.yaml", QUEUE_ONLY)
    real_scandir = os.scandir
    locked = str(tmp_path / "locked")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, out, err = run(capsys, "check", str(tmp_path), "--no-cfn-lint", "--format", "json")
    assert locked in out or locked in err
    assert code == 2


def _without_read_permission() -> list[str]:
    """The command prefix under which chmod 000 really denies reading. Root reads anything (CAP_DAC_OVERRIDE),
    so a root test run drops those capabilities for the checker's process; where it cannot, the test is skipped
    rather than passing without the file ever being unreadable."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: chmod 000 would not stop this process from reading")
    dropped = "-dac_override,-dac_read_search"
    return ["setpriv", "--bounding-set", dropped, "--inh-caps", dropped]


@pytest.mark.parametrize("named_first", [False, True], ids=["directory-first", "file-first"])
def test_an_unreadable_file_and_directory_each_get_one_invalid_verdict(tmp_path, named_first) -> None:
    """Discrepancy: `check DIR DIR/locked.yaml` reported locked.yaml twice (once as unreadable by the search,
    once as named), `check DIR/locked.yaml DIR` once."""
    write(tmp_path, "stack.yaml", QUEUE_ONLY)
    locked = Path(write(tmp_path, "locked.yaml", QUEUE_ONLY))
    shut = Path(write(tmp_path, "shut/inner.yaml", QUEUE_ONLY)).parent
    prefix = _without_read_permission()
    locked.chmod(0)
    shut.chmod(0)
    try:
        probe = subprocess.run([*prefix, sys.executable, "-c", f"open({str(locked)!r})"], capture_output=True, check=False)
        assert probe.returncode != 0, "the file must really be unreadable for this test to mean anything"
        paths = [str(locked), str(tmp_path)] if named_first else [str(tmp_path), str(locked)]
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "checker.cli", "check", *paths, "--no-cfn-lint", "--format", "json"],
            capture_output=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
    finally:
        locked.chmod(0o644)
        shut.chmod(0o755)
    assert (result.returncode, result.stderr) == (2, b"")
    document = json.loads(result.stdout)
    verdicts = [
        (file["path"], file["status"], file["findings"][0]["message"] if file["status"] == "invalid" else None)
        for file in document["files"]
    ]
    unreadable = (str(locked), "invalid", "Cannot read the file: Permission denied.")
    stack = (str(tmp_path / "stack.yaml"), "non_compliant", None)
    assert verdicts == [
        *([unreadable, stack] if named_first else [stack, unreadable]),
        (str(shut), "invalid", "Cannot be listed (Permission denied)."),
    ]
    assert document["skipped"] == []


def test_a_file_named_beside_its_directory_is_checked_as_named_in_either_order(capsys, tmp_path) -> None:
    """Discrepancy: `check DIR DIR/pod.yaml` listed pod.yaml as skipped *and* gave it an invalid verdict; in the
    other order it got the verdict alone. A file named on the command line always gets its verdict, once."""
    write(tmp_path, "stack.yaml", QUEUE_ONLY)
    pod = write(tmp_path, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n")
    write(tmp_path, "notes.yaml", "just: notes\n")
    pod_verdict = (pod, "invalid")
    for paths, expected in (
        ([str(tmp_path), pod], [(str(tmp_path / "stack.yaml"), "non_compliant"), pod_verdict]),
        ([pod, str(tmp_path)], [pod_verdict, (str(tmp_path / "stack.yaml"), "non_compliant")]),
    ):
        code, document = check_json(capsys, *paths)
        assert code == 2
        assert [(file["path"], file["status"]) for file in document["files"]] == expected
        assert skipped_paths(document) == [str(tmp_path / "notes.yaml")]


def test_a_fifo_found_in_a_directory_does_not_hang_the_run(tmp_path) -> None:
    """Discrepancy: sniffing a FIFO named *.yaml blocks forever (open() waits for a writer)."""
    write(tmp_path, "stack.yaml", QUEUE_ONLY)
    os.mkfifo(tmp_path / "pipe.yaml")
    try:
        result = run_process("check", str(tmp_path), "--no-cfn-lint", "--format", "json", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("cfn-compliance hung on a FIFO found by directory search")
    document = json.loads(result.stdout)
    assert str(tmp_path / "pipe.yaml") in skipped_paths(document) + checked_paths(document)
    assert b"Traceback" not in result.stderr


def test_a_fifo_named_explicitly_gets_a_verdict_without_hanging(tmp_path) -> None:
    """Discrepancy: a FIFO named on the command line blocks forever instead of getting an INVALID verdict."""
    os.mkfifo(tmp_path / "pipe.yaml")
    try:
        result = run_process("check", str(tmp_path / "pipe.yaml"), "--no-cfn-lint", "--format", "json", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("cfn-compliance hung on a FIFO named on the command line")
    assert result.returncode == 2
    assert json.loads(result.stdout)["files"][0]["status"] == "invalid"


def test_the_same_file_is_checked_once_however_it_is_spelled(capsys, tmp_path, monkeypatch) -> None:
    """Discrepancy: `check stack.yaml ./stack.yaml .` checks the same file twice (duplicates are removed
    only when the strings are identical), doubling its findings in the summary."""
    write(tmp_path, "stack.yaml", QUEUE_ONLY)
    monkeypatch.chdir(tmp_path)
    _, document = check_json(capsys, "stack.yaml", "./stack.yaml", ".", str(tmp_path / "stack.yaml"))
    assert document["summary"]["files"] == 1


def test_the_same_path_twice_is_checked_once(capsys, tmp_path) -> None:
    path = write(tmp_path, "stack.yaml", QUEUE_ONLY)
    _, document = check_json(capsys, path, path, str(tmp_path))
    assert checked_paths(document) == [path]


def test_output_order_is_deterministic(capsys, tmp_path) -> None:
    for name in ("b.yaml", "A.yaml", "sub/c.yaml", "a.yaml", "z/0.yaml"):
        write(tmp_path, name, QUEUE_ONLY)
    first = run(capsys, "check", str(tmp_path), "--no-cfn-lint", "--format", "json")
    second = run(capsys, "check", str(tmp_path), "--no-cfn-lint", "--format", "json")
    assert first == second
    paths = checked_paths(json.loads(first[1]))
    assert len(paths) == 5 and paths[:3] == [str(tmp_path / name) for name in ("A.yaml", "a.yaml", "b.yaml")]


# --- JSON report ---------------------------------------------------------------------------------


def test_json_report_is_schema_valid_for_a_mix_of_everything(capsys, tmp_path) -> None:
    unknown = write(
        tmp_path,
        "named/unknown.yaml",
        "Parameters:\n  Memory:\n    Type: Number\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n      Role: r\n"
        "      Code: {S3Bucket: b, S3Key: k}\n      MemorySize: !Ref Memory\n",
    )
    broken = write(tmp_path, "named/broken.yaml", "Resources: [\n")
    binary = tmp_path / "named" / "binary.yaml"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    write(tmp_path, "dir/.github/workflows/ci.yml", "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n")
    write(tmp_path, "dir/stack.yaml", QUEUE_ONLY)
    code, document = check_json(
        capsys, unknown, broken, str(binary), str(tmp_path / "dir"), str(tmp_path / "missing.yaml"), "--parameter", "Nope=1"
    )
    assert code == 2
    statuses = [file["status"] for file in document["files"]]
    assert statuses.count("invalid") == 3
    assert any(result["status"] == "unknown" for result in document["files"][0]["results"])
    assert document["files"][0]["notes"] == ["--parameter Nope is not a parameter of this template and was ignored"]
    assert len(document["skipped"]) == 1
    assert document["summary"]["files"] == len(document["files"]) == 5
    assert document["summary"]["invalid"] == 3


def test_results_of_an_invalid_file_still_cover_every_selected_rule(capsys, tmp_path) -> None:
    """Discrepancy (README: "`results` records every selected rule, passes included"): an invalid file
    lists only TPL001, so a CI script that reads results per rule finds 38 rules missing instead of
    seeing them as not judged."""
    broken = write(tmp_path, "broken.yaml", "Resources: [\n")
    _, document = check_json(capsys, broken)
    results = document["files"][0]["results"]
    assert [result["rule_id"] for result in results] == [rule.id for rule in load_catalogue()]
    assert {result["status"] for result in results if result["rule_id"] != "TPL001"} <= {"unknown", "not_applicable"}


def test_a_file_with_only_warnings_is_compliant(capsys, tmp_path) -> None:
    """Discrepancy: the report schema documents severity as "error makes the file non-compliant; warning
    is advisory", and the text renderer has a "compliant with N warnings" verdict, but a warning-only
    file is reported non_compliant / FAIL (even under --fail-on error, where the run exits 0)."""
    text = REFERENCE.read_text().replace("MessageRetentionPeriod: 1209600", "MessageRetentionPeriod: 345600")
    path = write(tmp_path, "warning-only.yaml", text)
    code, document = check_json(capsys, path, "--fail-on", "error")
    assert code == 0
    assert [finding["severity"] for finding in document["files"][0]["findings"]] == ["warning"]
    assert document["files"][0]["status"] == "compliant"
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never", "--fail-on", "error")
    assert out.startswith(f"PASS {path} — compliant with 0 errors, 1 warning")


# --- text output and colour ----------------------------------------------------------------------


def test_no_ansi_codes_when_stdout_is_not_a_terminal(capsys, tmp_path) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint")
    assert "\x1b" not in out
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "always")
    assert "\x1b[" in out
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "always", "--format", "json")
    assert "\x1b" not in out


def _fake_terminal(monkeypatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def test_no_color_is_honoured_on_a_terminal(capsys, tmp_path, monkeypatch) -> None:
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    monkeypatch.delenv("NO_COLOR", raising=False)
    _fake_terminal(monkeypatch)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint")
    assert "\x1b[" in out
    monkeypatch.setenv("NO_COLOR", "1")
    _fake_terminal(monkeypatch)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint")
    assert "\x1b" not in out


def test_an_empty_no_color_does_not_turn_colour_off(capsys, tmp_path, monkeypatch) -> None:
    """Discrepancy (minor): no-color.org says NO_COLOR disables colour "when present and not an empty
    string"; NO_COLOR= (empty) turns colour off here."""
    path = write(tmp_path, "queue.yaml", QUEUE_ONLY)
    monkeypatch.setenv("NO_COLOR", "")
    _fake_terminal(monkeypatch)
    _, out, _ = run(capsys, "check", path, "--no-cfn-lint")
    assert "\x1b[" in out


def test_unknown_results_without_findings_are_announced_on_the_verdict_line(capsys, tmp_path) -> None:
    path = write(
        tmp_path,
        "unknown.yaml",
        "Parameters:\n  Memory:\n    Type: Number\nResources:\n  Fn:\n    Type: AWS::Lambda::Function\n"
        "    Properties:\n      MemorySize: !Ref Memory\n",
    )
    code, out, _ = run(capsys, "check", path, "--no-cfn-lint", "--color", "never", "--rule", "COST002")
    assert code == 0
    assert out.splitlines()[0] == f"PASS {path} — compliant (1 rule could not be judged)"
    assert "Could not judge:\n  UNKNOWN COST002 " in out
    assert out.splitlines()[-1].endswith("; 1 rule could not be judged")


def test_a_path_that_is_not_utf8_does_not_crash_the_text_report(tmp_path) -> None:
    """Discrepancy: a file name with a byte that is not UTF-8 (found by directory search) makes the text
    report raise UnicodeEncodeError when stdout is strict UTF-8 (PYTHONIOENCODING=utf-8, common in CI, or
    a en_US.UTF-8 locale). The traceback exits 1, the code for "findings", so CI cannot tell a crash
    from a failing template."""
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "queue.yaml").write_text(QUEUE_ONLY)
    os.rename(directory / "queue.yaml", os.fsencode(directory) + b"/bad\xffname.yaml")
    result = run_process("check", str(directory), "--no-cfn-lint", "--color", "never", env={"PYTHONIOENCODING": "utf-8"})
    assert b"Traceback" not in result.stderr
    assert result.returncode == 1
    assert f"FAIL {directory}/bad\\xffname.yaml — non-compliant".encode() in result.stdout  # the byte, as `ls -b` shows it


def test_file_names_and_template_values_cannot_break_lines_or_drive_the_terminal(capsys, tmp_path) -> None:
    """Discrepancy: a newline in a file name split the verdict line in two, and a logical id written
    `"Q\\e[41m..."` (YAML's escape for ESC) sent that escape sequence to the terminal. Both are escaped."""
    directory = tmp_path / "dir"
    directory.mkdir()
    write(directory, "new\nline.yaml", ENCRYPTED_QUEUE)
    write(directory, "evil.yaml", 'Resources:\n  "Q\\e[2J":\n    Type: AWS::SQS::Queue\n')
    code, out, _ = run(capsys, "check", str(directory), "--no-cfn-lint", "--color", "never", "--rule", "SEC005")
    assert code == 1
    assert out == (
        f"FAIL {directory}/evil.yaml — non-compliant: 1 error, 0 warnings\n"
        "Security:\n"
        f"  ERROR SEC005 [Q\\x1b[2J] {directory}/evil.yaml:2:3\n"
        "    The queue Q\\x1b[2J does not enable encryption at rest explicitly (SqsManagedSseEnabled not set, no KmsMasterKeyId).\n"
        "    fix: Set SqsManagedSseEnabled: true (or KmsMasterKeyId for a customer managed key) on every queue.\n"
        "\n"
        f"PASS {directory}/new\\nline.yaml — compliant\n"
        "\n"
        "2 files: 1 compliant, 1 non-compliant, 0 invalid; 1 error, 0 warnings\n"
    )
    _, document = check_json(capsys, str(directory), "--rule", "SEC005")
    assert checked_paths(document) == [str(directory / "evil.yaml"), str(directory / "new\nline.yaml")]


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["check", "SMALL", "--no-cfn-lint"], 2),  # a report short enough to sit in Python's buffer until exit
        (["check", "BIG", "--no-cfn-lint", "--format", "json", "--jobs", "2"], 1),
        (["check", "BIG", "--no-cfn-lint", "--fail-on", "never"], 0),
        (["rules"], 0),
    ],
)
def test_a_closed_pipe_keeps_the_verdict_and_prints_nothing(tmp_path, argv, code) -> None:
    """Discrepancy: with stdout a pipe whose reader has gone (`check . | head` in `bash -o pipefail`, as GitHub
    Actions runs steps), a long report exited 0 whatever it found, and a short one exited 120 with
    "Exception ignored ... BrokenPipeError" on stderr. The exit code is the run's verdict either way."""
    write(tmp_path, "small.md", "Insert here the Model Response that failed\n")
    for index in range(30):
        write(tmp_path, f"big/queue-{index:02}.yaml", QUEUE_ONLY)
    paths = {"SMALL": str(tmp_path / "small.md"), "BIG": str(tmp_path / "big")}
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first byte is written
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "checker.cli", *(paths.get(arg, arg) for arg in argv)],
            stdout=writer,
            stderr=subprocess.PIPE,
            timeout=120,
            env={**environment, "PYTHONPATH": str(ROOT)},
            check=False,
        )
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (code, b"")


# --- parameters ----------------------------------------------------------------------------------

PARAMETER_TEMPLATE = """\
Parameters:
  A:
    Type: String
Conditions:
  Big: !Equals [!Ref A, "B=C"]
  Empty: !Equals [!Ref A, ""]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      MemorySize: !If [Big, 1024, !If [Empty, 2048, 128]]
"""


@pytest.mark.parametrize(
    ("setting", "memory"),
    [("A=B=C", "1024"), ("A=", "2048"), ("A=small", None)],
)
def test_parameter_values_may_contain_equals_or_be_empty(capsys, tmp_path, setting, memory) -> None:
    path = write(tmp_path, "memory.yaml", PARAMETER_TEMPLATE)
    code, document = check_json(capsys, path, "--rule", "COST002", "--parameter", setting)
    findings = document["files"][0]["findings"]
    if memory is None:
        assert code == 0 and findings == []
    else:
        assert code == 1 and f"MemorySize {memory} MB" in findings[0]["message"]


# --- bad inputs named explicitly -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("huge.yaml", QUEUE_ONLY.encode() + b"# pad\n" * 1_000_000, "larger than 5 MiB"),
        ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "Binary content"),
        ("latin1.yaml", "Resources: caf\xe9\n".encode("latin-1"), "Not valid UTF-8"),
        ("deep.json", b'{"Resources": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "deeper than 200 levels"),
        ("deep-list.json", b"[" * 100_000 + b"]" * 100_000, "deeper than 200 levels"),
        ("deep.yaml", b"Resources:\n" + b"".join(b" " * (i + 1) + b"k:\n" for i in range(1000)), "deeper than 200 levels"),
    ],
)
def test_bad_inputs_named_explicitly_get_a_clear_invalid_verdict(capsys, tmp_path, name, content, expected) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, document = check_json(capsys, str(path))
    assert code == 2
    file = document["files"][0]
    assert file["status"] == "invalid"
    assert expected in file["findings"][0]["message"]


def test_a_utf16_template_is_named_as_such(capsys, tmp_path) -> None:
    """Discrepancy (message quality): Windows PowerShell writes UTF-16 by default; such a template is
    reported as "Binary content: NUL byte at offset 3", which does not tell the user to re-save it as UTF-8."""
    path = tmp_path / "stack.json"
    path.write_text('{\n  "Resources": {"Q": {"Type": "AWS::SQS::Queue"}}\n}\n', encoding="utf-16")
    code, document = check_json(capsys, str(path))
    assert code == 2
    assert "UTF-16" in document["files"][0]["findings"][0]["message"]


# --- rules and explain ---------------------------------------------------------------------------


def _catalogue():
    from checker.evaluation.catalogue import load_catalogue

    return load_catalogue()


def test_rules_json_has_stable_keys_for_every_rule(capsys) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    rules = json.loads(out)
    assert code == 0 and [rule["id"] for rule in rules] == [rule.id for rule in _catalogue()]
    keys = [
        "id",
        "title",
        "category",
        "severity",
        "rationale",
        "remediation",
        "reference_component",
        "engine",
        "parameters",
        "equivalents",
    ]
    assert all(list(rule) == keys for rule in rules)
    assert all(rule["rationale"] and rule["remediation"] and rule["title"] for rule in rules)


@pytest.mark.parametrize("rule_id", [rule.id for rule in _catalogue()])
def test_explain_every_rule_in_lower_case(capsys, rule_id) -> None:
    from checker.evaluation.catalogue import rule_by_id

    rule = rule_by_id(rule_id)
    code, out, _ = run(capsys, "explain", rule_id.lower())
    assert code == 0
    assert out.startswith(f"{rule_id} ({rule.severity}, {rule.category}): {rule.title}")
    if rule.engine == "guard":
        assert "Checked by this Guard rule" in out
        for line in rule.check["rule"].strip().splitlines():
            assert line.strip() in out
    if rule.component not in (None, "template"):
        heading = out.split("How the reference does it", 1)
        assert len(heading) == 2, f"{rule_id} has component {rule.component} but no reference snippet"
        snippet = [line for line in heading[1].splitlines()[1:] if line.strip()]
        assert snippet and snippet[0].startswith("  ") and "Type: AWS::" in heading[1]
