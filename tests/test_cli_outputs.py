"""Several reports from one run (`--output FORMAT=PATH`) and the compact text report, as the CLI writes them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main

QUEUE_ONLY = """\
Resources:
  Orders:
    Type: AWS::SQS::Queue
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "queue.yaml"
    path.write_text(QUEUE_ONLY)
    return path


def test_outputs_are_written_beside_stdout_and_agree_with_it(capsys, tmp_path: Path, template: Path) -> None:
    json_path, text_path = tmp_path / "out" / "deep" / "report.json", tmp_path / "report.txt"
    code = main(
        ["check", str(template), "--no-cfn-lint", "--format", "json", f"--output=text={text_path}", f"--output=json={json_path}"]
    )
    stdout = capsys.readouterr().out
    assert code == 1
    assert json_path.read_text() == stdout  # the same renderer, the same run
    text = text_path.read_text()
    assert text.startswith(f"FAIL {template} — non-compliant") and "\x1b[" not in text
    assert "the reference does it so" not in text  # text quotes the reference only with --show-reference


def test_compact_text_is_one_line_per_finding(capsys, template: Path) -> None:
    main(["check", str(template), "--no-cfn-lint", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["files"][0]["findings"]
    code = main(["check", str(template), "--no-cfn-lint", "--compact", "--color", "always"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines == [
        f"{template}:{f['line']}:{f['column']}: {f['severity'].upper()} {f['rule_id']} {f['message']}" for f in findings
    ]


@pytest.mark.parametrize(
    ("argument", "complaint"),
    [
        ("--output=json", "--output expects FORMAT=PATH, got 'json'"),
        ("--output=pdf=x.pdf", "--output: unknown format 'pdf'"),
        ("--output=json=", "--output expects FORMAT=PATH, got 'json='"),
    ],
)
def test_a_wrong_output_is_a_usage_error(capsys, template: Path, argument: str, complaint: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["check", str(template), argument])
    assert stopped.value.code == 2
    assert complaint in capsys.readouterr().err


def test_compact_without_a_text_report_is_a_usage_error(capsys, template: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["check", str(template), "--format", "json", "--compact"])
    assert stopped.value.code == 2
    assert "--compact shapes the text report" in capsys.readouterr().err


def test_an_output_that_cannot_be_written_exits_2_after_the_report(capsys, tmp_path: Path, template: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where a folder should be")
    code = main(["check", str(template), "--no-cfn-lint", f"--output=json={blocker / 'report.json'}"])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out.startswith(f"FAIL {template}")
    assert captured.err.startswith(f"cfn-compliance: error: cannot write the json report to {blocker / 'report.json'}: ")


def test_the_github_format_appends_the_job_summary(capsys, monkeypatch, tmp_path: Path, template: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("an earlier step's summary\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code = main(["check", str(template), "--no-cfn-lint", "--format", "github"])
    annotations = capsys.readouterr().out
    assert code == 1 and annotations.startswith("::error file=")
    written = summary.read_text()
    assert written.startswith("an earlier step's summary\n### cfn-compliance\n")
    assert "ARCH006" in written  # a failing rule of the file, in its table row
    main(["check", str(template), "--no-cfn-lint", "--format", "json"])  # no github report: the summary is left alone
    assert summary.read_text() == written
