"""The configuration file: where it is found, what each key changes in a real verdict, how the command line wins,
how cfn-lint is kept to our options, and the exact message (key and line) for each mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main
from tests.conftest import ROOT

FUNCTION_1024 = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      MemorySize: 1024
      Code:
        ZipFile: exports.handler = async () => ({});
"""

FUNCTION_MEMORY_PARAMETER = """\
Parameters:
  Memory:
    Type: Number
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      MemorySize: !Ref Memory
      Code:
        ZipFile: exports.handler = async () => ({});
"""

QUEUE_RECEIVES_3 = """\
Resources:
  OrderQueue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetterQueue.Arn
        maxReceiveCount: 3
  DeadLetterQueue:
    Type: AWS::SQS::Queue
"""

LOG_GROUP_90_DAYS = """\
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 90
"""

BAD_RUNTIME = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs99.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code:
        ZipFile: exports.handler = async () => ({});
"""

COST002_FINDING = {
    "rule_id": "COST002",
    "resource": "Fn",
    "path": "Resources/Fn/Properties/MemorySize",
    "line": 8,
    "column": 7,
    "message": "The function Fn has MemorySize 1024 MB, above 512 MB.",
}


def run(*argv: str) -> tuple[int, str, str]:
    """The command line in this process (the working directory is the test's), exit code and both streams."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as stop:
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def git_repository(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def check_json(*argv: str) -> tuple[int, dict]:
    code, out, err = run("check", "--format", "json", "--no-cfn-lint", "--jobs", "1", *argv)
    assert err == "" or code != 2, err
    return code, json.loads(out)


def findings(report: dict, rule_id: str) -> list[dict]:
    keys = ("rule_id", "resource", "path", "line", "column", "message")
    return [
        {key: finding[key] for key in keys}
        for file in report["files"]
        for finding in file["findings"]
        if finding["rule_id"] == rule_id
    ]


def result(report: dict, rule_id: str, file: int = 0) -> str | None:
    return next((item["status"] for item in report["files"][file]["results"] if item["rule_id"] == rule_id), None)


# --- discovery -------------------------------------------------------------------------------------------


def test_found_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, ".cfn-compliance.yaml", "fail_on: error\n")
    monkeypatch.chdir(repo)
    code, out, _ = run("config", "--show")
    assert code == 0
    assert out.splitlines()[:2] == ["# configuration file: .cfn-compliance.yaml", 'fail_on: "error"  # .cfn-compliance.yaml:1']


def test_found_in_a_parent_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, ".cfn-compliance.yaml", "\nfail_on: never\n")
    (repo / "stacks" / "prod").mkdir(parents=True)
    monkeypatch.chdir(repo / "stacks" / "prod")
    code, out, _ = run("config", "--show")
    assert code == 0
    assert 'fail_on: "never"  # ../../.cfn-compliance.yaml:2' in out.splitlines()


def test_the_search_stops_at_the_repository_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".cfn-compliance.yaml", "fail_on: never\n")  # above the repository: not its configuration
    repo = git_repository(tmp_path / "repo")
    (repo / "stacks").mkdir()
    monkeypatch.chdir(repo / "stacks")
    code, out, _ = run("config", "--show")
    assert code == 0
    assert out.splitlines()[:2] == [
        "# no configuration file found (.cfn-compliance.yaml or [tool.cfn-compliance] in pyproject.toml)",
        'fail_on: "warning"  # default',
    ]


def test_outside_git_only_the_working_directory_is_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".cfn-compliance.yaml", "fail_on: never\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert 'fail_on: "warning"  # default' in run("config", "--show")[1]


def test_config_option_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, ".cfn-compliance.yaml", "fail_on: never\n")
    write(tmp_path, "team.yaml", "fail_on: error\n")
    monkeypatch.chdir(repo)
    code, out, _ = run("config", "--show", "--config", str(tmp_path / "team.yaml"))
    assert code == 0
    assert f'fail_on: "error"  # {tmp_path / "team.yaml"}:1' in out.splitlines()


def test_a_missing_config_file_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", FUNCTION_1024)
    monkeypatch.chdir(tmp_path)
    assert run("check", "--config", "nope.yaml", "t.yaml") == (
        2,
        "",
        "cfn-compliance: error: nope.yaml: the configuration file does not exist\n",
    )


def test_pyproject_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, "pyproject.toml", '[project]\nname = "x"\n\n[tool.cfn-compliance]\nfail_on = "error"\n')
    write(repo, "t.yaml", FUNCTION_1024)
    monkeypatch.chdir(repo)
    assert 'fail_on: "error"  # pyproject.toml:5' in run("config", "--show")[1].splitlines()


def test_a_pyproject_without_the_table_is_passed_by(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, ".cfn-compliance.yaml", "fail_on: never\n")
    write(repo, "app/pyproject.toml", '[project]\nname = "cfn-compliance-user"\n')
    monkeypatch.chdir(repo / "app")
    assert 'fail_on: "never"  # ../.cfn-compliance.yaml:1' in run("config", "--show")[1].splitlines()


def test_the_yaml_file_wins_over_pyproject_in_one_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, ".cfn-compliance.yaml", "fail_on: never\n")
    write(repo, "pyproject.toml", '[tool.cfn-compliance]\nfail_on = "error"\n')
    monkeypatch.chdir(repo)
    assert run("config", "--show")[1].splitlines()[:3] == [
        "# configuration file: .cfn-compliance.yaml",
        "# not read: [tool.cfn-compliance] in pyproject.toml (.cfn-compliance.yaml beside it wins)",
        'fail_on: "never"  # .cfn-compliance.yaml:1',
    ]


# --- precedence and config --show ------------------------------------------------------------------------


def test_config_show_says_where_each_value_came_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        ".cfn-compliance.yaml",
        "fail_on: error\nrule_parameters:\n  COST002: {max_memory_mb: 1024}\nseverity: {COST004: warning}\nexclude: [legacy]\n",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run("config", "--show", "--fail-on", "never", "--skip-rule", "mon001", "--parameter", "Env=prod")
    assert (code, err) == (0, "")
    assert out == (
        "# configuration file: .cfn-compliance.yaml\n"
        'fail_on: "never"  # command line (--fail-on)\n'
        "fail_on_unknown: false  # default\n"
        "rules: []  # default\n"
        'skip_rules: ["MON001"]  # command line (--skip-rule)\n'
        'rule_parameters: {"COST002": {"max_memory_mb": 1024}}  # .cfn-compliance.yaml:2\n'
        'severity: {"COST004": "warning"}  # .cfn-compliance.yaml:4\n'
        "template_parameters: {}  # default\n"
        "paths: []  # default\n"
        'exclude: ["legacy"]  # .cfn-compliance.yaml:5\n'
        "baseline: null  # default\n"
        "cfn_lint: true  # default\n"
        '# --parameter, over template_parameters for every file: {"Env": "prod"}\n'
    )


def test_command_line_over_file_over_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fail_on: the default (warning) fails a warning; the file's `never` passes it; --fail-on warning fails it again."""
    write(tmp_path, "t.yaml", FUNCTION_1024)
    monkeypatch.chdir(tmp_path)
    assert check_json("--rule", "COST002", "t.yaml")[0] == 1
    write(tmp_path, ".cfn-compliance.yaml", "fail_on: never\n")
    assert check_json("--rule", "COST002", "t.yaml")[0] == 0
    assert check_json("--rule", "COST002", "--fail-on", "warning", "t.yaml")[0] == 1


# --- every key changes a real verdict ---------------------------------------------------------------------


def test_rule_parameters_raise_the_memory_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", FUNCTION_1024)
    monkeypatch.chdir(tmp_path)
    code, report = check_json("--rule", "COST002", "t.yaml")
    assert (code, findings(report, "COST002")) == (1, [COST002_FINDING])
    write(tmp_path, ".cfn-compliance.yaml", "rule_parameters:\n  COST002: {max_memory_mb: 1024}\n")
    code, report = check_json("--rule", "COST002", "t.yaml")
    assert (code, result(report, "COST002"), findings(report, "COST002")) == (0, "pass", [])
    write(tmp_path, ".cfn-compliance.yaml", "rule_parameters:\n  COST002: {max_memory_mb: 768}\n")
    code, report = check_json("--rule", "COST002", "t.yaml")
    assert findings(report, "COST002") == [
        {**COST002_FINDING, "message": "The function Fn has MemorySize 1024 MB, above 768 MB."}
    ]


def test_rule_parameters_of_a_python_check_and_a_second_guard_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "queue.yaml", QUEUE_RECEIVES_3)
    write(tmp_path, "logs.yaml", LOG_GROUP_90_DAYS)
    monkeypatch.chdir(tmp_path)
    _, report = check_json("--rule", "REL003", "--rule", "COST004", "queue.yaml", "logs.yaml")
    assert [message["message"] for message in findings(report, "REL003") + findings(report, "COST004")] == [
        "The order queue OrderQueue moves a message to the DLQ after 3 receives; at least 5 are expected.",
        "The log group Logs has RetentionInDays 90, not 30.",
    ]
    write(
        tmp_path,
        ".cfn-compliance.yaml",
        "rule_parameters:\n  REL003: {min_receive_count: 3}\n  COST004: {log_retention_days: 90}\n",
    )
    code, report = check_json("--rule", "REL003", "--rule", "COST004", "queue.yaml", "logs.yaml")
    assert (code, result(report, "REL003", 0), result(report, "COST004", 1)) == (0, "pass", "pass")


def test_severity_warning_shows_in_every_report_and_fail_on_error_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", FUNCTION_1024)
    write(tmp_path, ".cfn-compliance.yaml", "severity: {COST002: warning}\n")
    monkeypatch.chdir(tmp_path)
    code, report = check_json("--rule", "COST002", "--fail-on", "error", "t.yaml")
    assert code == 0
    assert [finding["severity"] for finding in report["files"][0]["findings"]] == ["warning"]
    assert report["files"][0]["status"] == "compliant"
    assert report["summary"]["warnings"] == 1
    assert check_json("--rule", "COST002", "t.yaml")[0] == 1  # warnings still fail by default
    code, out, _ = run("check", "--no-cfn-lint", "--jobs", "1", "--rule", "COST002", "--format", "sarif", "t.yaml")
    sarif = json.loads(out)["runs"][0]
    assert [item["level"] for item in sarif["results"]] == ["warning"]
    descriptor = next(rule for rule in sarif["tool"]["driver"]["rules"] if rule["id"] == "COST002")
    assert descriptor["defaultConfiguration"] == {"level": "warning"}
    code, out, _ = run("check", "--no-cfn-lint", "--jobs", "1", "--rule", "COST002", "--compact", "t.yaml")
    assert "t.yaml:8:7: WARNING COST002 The function Fn has MemorySize 1024 MB, above 512 MB." in out.splitlines()


def test_severity_off_removes_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", FUNCTION_1024)
    write(tmp_path, ".cfn-compliance.yaml", "severity: {COST002: off}\n")
    monkeypatch.chdir(tmp_path)
    _, report = check_json("t.yaml")
    assert result(report, "COST002") is None
    assert findings(report, "COST002") == []
    _, report = check_json("--rule", "COST002", "t.yaml")  # named on the command line, it runs
    assert findings(report, "COST002") == [COST002_FINDING]


def test_rules_and_skip_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", FUNCTION_1024)
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".cfn-compliance.yaml", "rules: [COST002, COST001]\n")
    _, report = check_json("t.yaml")
    assert [item["rule_id"] for item in report["files"][0]["results"]] == ["COST001", "COST002"]
    write(tmp_path, ".cfn-compliance.yaml", "rules: [COST002, COST001]\nskip_rules: [COST002]\n")
    _, report = check_json("t.yaml")
    assert [item["rule_id"] for item in report["files"][0]["results"]] == ["COST001"]
    _, report = check_json("--rule", "COST003", "t.yaml")  # the command line's list replaces the file's
    assert [item["rule_id"] for item in report["files"][0]["results"]] == ["COST003"]


def test_fail_on_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", FUNCTION_MEMORY_PARAMETER)
    monkeypatch.chdir(tmp_path)
    code, report = check_json("--rule", "COST002", "t.yaml")
    assert (code, result(report, "COST002")) == (0, "unknown")
    write(tmp_path, ".cfn-compliance.yaml", "fail_on_unknown: true\n")
    code, report = check_json("--rule", "COST002", "t.yaml")
    assert (code, report["files"][0]["status"]) == (1, "non_compliant")


def test_template_parameters_by_glob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "stacks/prod/app.yaml", FUNCTION_MEMORY_PARAMETER)
    write(tmp_path, "stacks/dev/app.yaml", FUNCTION_MEMORY_PARAMETER)
    write(
        tmp_path,
        ".cfn-compliance.yaml",
        "template_parameters:\n  stacks/prod/*.yaml: {Memory: 1024, Env: prod}\n  stacks/dev/*.yaml: {Memory: 256}\n",
    )
    monkeypatch.chdir(tmp_path)
    code, report = check_json("--rule", "COST002", "stacks")
    assert code == 1
    by_path = {file["path"]: file for file in report["files"]}
    prod, dev = by_path["stacks/prod/app.yaml"], by_path["stacks/dev/app.yaml"]
    assert [finding["message"] for finding in prod["findings"]] == ["The function Fn has MemorySize 1024 MB, above 512 MB."]
    assert prod["notes"] == [
        "template_parameters['stacks/prod/*.yaml'] (.cfn-compliance.yaml) Env is not a parameter of this template and was ignored"
    ]
    assert (dev["status"], dev["findings"]) == ("compliant", [])
    _, report = check_json("--rule", "COST002", "--parameter", "Memory=128", "stacks/prod/app.yaml")  # the command line wins
    assert report["files"][0]["findings"] == []


def test_template_parameters_reach_worker_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The options travel pickled to --jobs workers: the configured values apply there too."""
    write(tmp_path, "a/one.yaml", FUNCTION_MEMORY_PARAMETER)
    write(tmp_path, "a/two.yaml", FUNCTION_1024)
    write(
        tmp_path,
        ".cfn-compliance.yaml",
        "template_parameters: {'a/*': {Memory: 2048}}\nrule_parameters: {COST002: {max_memory_mb: 1024}}\n"
        "severity: {COST002: warning}\n",
    )
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(
        "check", "--format", "json", "--no-cfn-lint", "--jobs", "2", "--rule", "COST002", "--fail-on", "error", "a"
    )
    report = json.loads(out)
    assert code == 0
    assert [(file["path"], [(f["severity"], f["message"]) for f in file["findings"]]) for file in report["files"]] == [
        ("a/one.yaml", [("warning", "The function Fn has MemorySize 2048 MB, above 1024 MB.")]),
        ("a/two.yaml", []),
    ]


def test_paths_are_what_check_checks_without_a_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = git_repository(tmp_path / "repo")
    write(repo, "stacks/app.yaml", FUNCTION_1024)
    write(repo, "stacks/docker-compose.yml", "services:\n  web:\n    image: nginx\n")
    write(repo, "other/app.yaml", FUNCTION_1024)
    write(repo, ".cfn-compliance.yaml", "paths: ['stacks/*.y*ml']\n")
    (repo / "docs").mkdir()
    monkeypatch.chdir(repo / "docs")
    code, report = check_json("--rule", "COST002")
    assert code == 1
    assert [file["path"] for file in report["files"]] == ["../stacks/app.yaml"]
    assert [file["repo_path"] for file in report["files"]] == ["stacks/app.yaml"]
    assert [item["path"] for item in report["skipped"]] == ["../stacks/docker-compose.yml"]  # a glob's finds are searched
    _, report = check_json("--rule", "COST002", "../other")  # a PATH on the command line replaces them
    assert [file["path"] for file in report["files"]] == ["../other/app.yaml"]


def test_no_path_and_no_paths_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("check")
    assert code == 2
    assert err.endswith(
        "cfn-compliance: error: name files or directories to check (or list them under `paths` in .cfn-compliance.yaml), "
        "or `-` for standard input, or --changed-since REF\n"
    )


def test_exclude_leaves_out_what_a_search_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "stacks/app.yaml", FUNCTION_1024)
    write(tmp_path, "stacks/legacy/old.yaml", FUNCTION_1024)
    write(tmp_path, "stacks/app.test.yaml", FUNCTION_1024)
    write(tmp_path, ".cfn-compliance.yaml", "exclude: [stacks/legacy, '**/*.test.yaml']\n")
    monkeypatch.chdir(tmp_path)
    _, report = check_json("--rule", "COST002", "stacks")
    assert [file["path"] for file in report["files"]] == ["stacks/app.yaml"]
    assert report["skipped"] == [
        {"path": "stacks/app.test.yaml", "reason": "excluded by '**/*.test.yaml' (.cfn-compliance.yaml)"},
        {"path": "stacks/legacy", "reason": "excluded by 'stacks/legacy' (.cfn-compliance.yaml)"},
    ]
    _, report = check_json("--rule", "COST002", "stacks/legacy/old.yaml")  # a file named is always checked
    assert [file["path"] for file in report["files"]] == ["stacks/legacy/old.yaml"]


# --- cfn-lint: our options, never a .cfnlintrc --------------------------------------------------------------


def tpl002(*argv: str) -> list[tuple[str, int, str]]:
    code, out, err = run("check", "--format", "json", "--jobs", "1", "--rule", "TPL002", *argv)
    report = json.loads(out)
    assert (code, err) == (1 if report["summary"]["findings"] else 0, "")
    return [(f["resource"], f["line"], f["message"].split(":")[0]) for file in report["files"] for f in file["findings"]]


def test_a_cfnlintrc_in_the_working_directory_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", BAD_RUNTIME)
    monkeypatch.chdir(tmp_path)
    before = tpl002("t.yaml")
    assert before == [("Fn", 5, "cfn-lint E3030")]
    write(tmp_path, ".cfnlintrc", "ignore_checks:\n  - E3030\n  - E3012\n")
    assert tpl002("t.yaml") == before
    # cfn-lint's own command, run here, does read it: that is what the checker must not inherit
    cfn_lint = [str(Path(sys.executable).parent / "cfn-lint"), "t.yaml"]
    assert "E3030" not in subprocess.run(cfn_lint, capture_output=True, text=True, check=False).stdout
    (tmp_path / ".cfnlintrc").unlink()
    assert "E3030" in subprocess.run(cfn_lint, capture_output=True, text=True, check=False).stdout


def test_the_templates_own_cfn_lint_metadata_still_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [E3030]\n" + BAD_RUNTIME)
    monkeypatch.chdir(tmp_path)
    assert tpl002("t.yaml") == []
    write(tmp_path, ".cfn-compliance.yaml", "cfn_lint: {ignore_checks: [E1001]}\n")  # merged with ours, not replaced
    assert tpl002("t.yaml") == []


def test_cfn_lint_ignore_checks_and_regions_from_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", BAD_RUNTIME)
    write(tmp_path, "agent.yaml", "Resources:\n  Agent:\n    Type: AWS::Bedrock::Agent\n    Properties:\n      AgentName: a\n")
    monkeypatch.chdir(tmp_path)
    assert tpl002("agent.yaml") == []
    write(tmp_path, ".cfn-compliance.yaml", "cfn_lint:\n  ignore_checks: [E3030]\n  regions: [us-east-1, cn-north-1]\n")
    assert tpl002("t.yaml") == []
    assert tpl002("agent.yaml") == [("Agent", 3, "cfn-lint E3006")]


def test_cfn_lint_false_turns_the_pass_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "t.yaml", BAD_RUNTIME)
    write(tmp_path, ".cfn-compliance.yaml", "cfn_lint: false\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("check", "--format", "json", "--jobs", "1", "--rule", "TPL002", "t.yaml")
    assert code == 0
    assert json.loads(out)["files"][0]["results"] == [
        {"rule_id": "TPL002", "status": "not_applicable", "message": "the cfn-lint pass was turned off (--no-cfn-lint)"}
    ]


# --- mistakes: exit 2, the key and its line ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "fail_on: error\nfial_on_unknown: true\n",
            "2: fial_on_unknown: unknown key (known keys: fail_on, fail_on_unknown, rules, "
            "skip_rules, rule_parameters, severity, template_parameters, paths, exclude, baseline, cfn_lint)",
        ),
        ("fail_on: fatal\n", '1: fail_on: expected one of error, warning, never, got "fatal"'),
        ("fail_on_unknown: 'yes'\n", '1: fail_on_unknown: expected a boolean (true or false), got "yes"'),
        ("rules:\n  - COST002\n  - COST099\n", '3: rules[1]: unknown rule id "COST099" (see `cfn-compliance rules`)'),
        ("skip_rules: COST002\n", '1: skip_rules: expected a list, got "COST002"'),
        (
            "rule_parameters:\n  COST002:\n    max_memory: 1024\n",
            "3: rule_parameters.COST002.max_memory: COST002 has no parameter max_memory (it declares: max_memory_mb)",
        ),
        (
            "rule_parameters:\n  COST002:\n    max_memory_mb: 1 GB\n",
            '3: rule_parameters.COST002.max_memory_mb: expected a whole number, got "1 GB"',
        ),
        (
            "rule_parameters:\n  COST001: {x: 1}\n",
            "2: rule_parameters.COST001: COST001 declares no parameters (rules with parameters: COST002, COST004, REL003)",
        ),
        ("rule_parameters:\n  NOPE001: {x: 1}\n", "2: rule_parameters.NOPE001: unknown rule id (see `cfn-compliance rules`)"),
        ("severity:\n  COST002: info\n", '2: severity.COST002: expected one of error, warning, off, got "info"'),
        ("severity:\n  cost002: warning\n", "2: severity.cost002: unknown rule id (see `cfn-compliance rules`)"),
        (
            "template_parameters:\n  'stacks/*.yaml':\n    Env: [prod]\n",
            '3: template_parameters["stacks/*.yaml"].Env: expected a string, a number or a boolean (true or false), got ["prod"]',
        ),
        ("cfn_lint:\n  regions: [moon-1]\n", '2: cfn_lint.regions[0]: "moon-1" is not an AWS region name (us-east-1)'),
        ("cfn_lint:\n  ignore: [E3012]\n", "2: cfn_lint.ignore: unknown key (known keys: ignore_checks, regions)"),
        ("cfn_lint: 'no'\n", '1: cfn_lint: expected a boolean (true or false) or a mapping, got "no"'),
        ("- fail_on\n", "1: the configuration must be a mapping of keys (fail_on:, rules:, ...)"),
    ],
)
def test_each_mistake_names_the_key_and_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    write(tmp_path, ".cfn-compliance.yaml", text)
    write(tmp_path, "t.yaml", FUNCTION_1024)
    monkeypatch.chdir(tmp_path)
    assert run("check", "t.yaml") == (2, "", f"cfn-compliance: error: .cfn-compliance.yaml:{message}\n")


def test_every_mistake_is_listed_in_line_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".cfn-compliance.yaml", "rules: [X]\nfail_on: 3\n")
    monkeypatch.chdir(tmp_path)
    assert run("config", "--show")[2] == (
        'cfn-compliance: error: .cfn-compliance.yaml:1: rules[0]: unknown rule id "X" (see `cfn-compliance rules`)\n'
        "cfn-compliance: error: .cfn-compliance.yaml:2: fail_on: expected one of error, warning, never, got 3\n"
    )


def test_a_yaml_syntax_error_has_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".cfn-compliance.yaml", "fail_on: error\nrules: [COST002\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run("config", "--show")
    assert code == 2
    assert err.startswith("cfn-compliance: error: .cfn-compliance.yaml:3:")


def test_pyproject_mistakes_name_the_key_path_and_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.cfn-compliance]\nfail_on = "error"\n\n'
        '[tool.cfn-compliance.rule_parameters]\nCOST002 = { max_memory_mb = "big" }\n',
    )
    monkeypatch.chdir(tmp_path)
    assert run("config", "--show") == (
        2,
        "",
        "cfn-compliance: error: pyproject.toml:8: tool.cfn-compliance.rule_parameters.COST002.max_memory_mb: "
        'expected a whole number, got "big"\n',
    )


def test_an_empty_configuration_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, ".cfn-compliance.yaml", "# nothing configured yet\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("config", "--show")
    assert (code, out.splitlines()[1]) == (0, 'fail_on: "warning"  # default')


def test_the_shipped_schema_is_valid_and_packaged() -> None:
    import jsonschema

    from checker.run.config import CONFIG_SCHEMA, config_schema

    jsonschema.Draft202012Validator.check_schema(json.loads(CONFIG_SCHEMA.read_text()))
    jsonschema.Draft202012Validator.check_schema(config_schema())
    assert CONFIG_SCHEMA == ROOT / "checker" / "data" / "config.schema.json"


def test_the_command_line_names_the_file_the_run_looks_for() -> None:
    from checker import cli
    from checker.run import config

    assert cli.CONFIG_NAME == config.CONFIG_NAME


def test_the_readme_example_is_a_valid_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```yaml\n# .cfn-compliance.yaml\n", 1)[1].split("```", 1)[0]
    write(tmp_path, ".cfn-compliance.yaml", example)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("config", "--show")
    assert (code, err) == (0, "")
    assert 'severity: {"SEC008": "warning", "MON005": "off"}  # .cfn-compliance.yaml:7' in out.splitlines()


def test_without_a_configuration_file_jsonschema_is_not_imported(tmp_path: Path) -> None:
    """Start-up stays lean: the schema is read (and jsonschema imported) only when there is a file to validate."""
    write(tmp_path, "t.yaml", FUNCTION_1024)
    probe = (
        "import sys; from checker.cli import main; "
        "code = main(['check', '--no-cfn-lint', '--jobs', '1', '--compact', 't.yaml']); "
        "print(code, 'jsonschema' in sys.modules, file=sys.stderr)"
    )
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False, env=env)
    assert ran.stderr.splitlines()[-1] == "1 False"
    write(tmp_path, ".cfn-compliance.yaml", "fail_on: never\n")
    ran = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=False, env=env)
    assert ran.stderr.splitlines()[-1] == "0 True"
