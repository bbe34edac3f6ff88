"""The cfn-lint pass without repeated work: one rule set per process, one run per template, SAM's policy templates
validated once per process, one file's pass in a helper process beside the rest; each gives exactly what the work
done afresh, or in one process, gave."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.lint_equality import fresh_lint_errors
from checker.evaluation import judge, lint
from checker.evaluation.lint import lint_errors
from checker.evaluation.options import CheckOptions
from checker.findings import RunReport
from checker.load import load_text
from checker.run import lint_beside
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, FIXTURES, ROOT

CORPUS = ROOT / "tests" / "corpus" / "cfn-lint"
# Templates whose own cfn-lint Metadata configures the run (ignore_checks, configure_rules, resource directives),
# each followed by ones that configure nothing: what one template sets must not stay for the next.
SAMPLE = [
    "test__fixtures__templates__bad__core__config_configure_e3012.yaml",
    "test__fixtures__templates__bad__generic.yaml",
    "test__fixtures__templates__good__core__config_cfn_lint.yaml",
    "test__fixtures__templates__bad__core__directives.yaml",
    "test__fixtures__templates__bad__functions_ref.yaml",
    "test__fixtures__templates__bad__transform_serverless_template.yaml",
    "test__fixtures__templates__issues__sam_w_conditions.yaml",
]
BAD_RUNTIME = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs99.x
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/x
      Code: {ZipFile: "exports.handler = async () => {}"}
"""


def test_a_prepared_rule_set_finds_what_a_fresh_one_finds() -> None:
    texts = [(CORPUS / name).read_text() for name in SAMPLE]
    fresh = [fresh_lint_errors(text) for text in texts]
    assert any(fresh) and not all(fresh)  # the sample has errors to compare, and templates without
    for order in (texts, texts[::-1]):
        prepared = [lint_errors(text) for text in order]
        assert prepared == (fresh if order is texts else fresh[::-1])


def test_a_templates_metadata_applies_to_that_template_only() -> None:
    ignoring = "Metadata:\n  cfn-lint:\n    config:\n      ignore_checks: [E3030]\n" + BAD_RUNTIME
    assert [error.rule_id for error in lint_errors(BAD_RUNTIME)] == ["E3030"]
    assert lint_errors(ignoring) == []
    assert [error.rule_id for error in lint_errors(BAD_RUNTIME)] == ["E3030"]
    assert lint_errors(BAD_RUNTIME, ignore_checks=["E3030"]) == []
    assert [error.rule_id for error in lint_errors(BAD_RUNTIME)] == ["E3030"]


def test_the_rule_set_is_prepared_once_for_every_file_and_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    import cfnlint.runner

    built = []

    class Counted(cfnlint.runner.Runner):
        def __init__(self, *args: object, **kwargs: object) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cfnlint.runner, "Runner", Counted)
    lint._rules.cache_clear()
    try:
        lint_errors(BAD_RUNTIME)
        lint_errors(BAD_RUNTIME.replace("Fn", "Other"))
        lint_errors(BAD_RUNTIME, ignore_checks=["E3012"], regions=["eu-west-1"])
        assert len(built) == 1
    finally:
        lint._rules.cache_clear()


SAM_WITH_AN_UNDECIDED_CONDITION = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Condition: IsProd
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Timeout: 99999
      InlineCode: "def handler(event, context): pass"
"""


def test_a_sam_template_judged_both_ways_runs_the_cfn_lint_pass_once(monkeypatch: pytest.MonkeyPatch) -> None:
    linted, judged = [], []
    monkeypatch.setattr(lint, "_lint", lambda *args, _real=lint._lint: linted.append(1) or _real(*args))
    monkeypatch.setattr(judge, "_judge", lambda *args, _real=judge._judge: judged.append(1) or _real(*args))
    template = load_text(SAM_WITH_AN_UNDECIDED_CONDITION, "t.yaml")
    report = judge.check_template(template, CheckOptions(only_rules=frozenset({"TPL002"}), today=CHECK_DATE))
    assert (len(judged), len(linted)) == (2, 1)  # judged with and without Fn; cfn-lint ran once
    assert [(finding.rule_id, finding.line, finding.message.split(":")[0]) for finding in report.findings] == [
        ("TPL002", 13, "cfn-lint E3034")
    ]


def test_sams_policy_templates_are_validated_once_per_process(tmp_path: Path) -> None:
    second = tmp_path / "second.yaml"
    second.write_text((FIXTURES / "sam" / "compliant.yaml").read_text().replace("SQSPollerPolicy", "SQSSendMessagePolicy"))
    script = (
        "from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor as P\n"
        "validated = []\n"
        "real = P._is_valid_templates_dict\n"
        "P._is_valid_templates_dict = staticmethod(lambda *a: validated.append(1) or real(*a))\n"
        "from checker.load import load_file\n"
        "from checker.load.sam import expand\n"
        "def actions(path):\n"
        "    stack = expand(load_file(path), {}).data['Resources']\n"
        "    policies = stack['OrderProcessorRole']['Properties']['Policies']\n"
        "    return sorted(str(s['Action']) for p in policies for s in p['PolicyDocument']['Statement'])\n"
        f"first = actions({str(FIXTURES / 'sam' / 'compliant.yaml')!r})\n"
        f"second = actions({str(second)!r})\n"
        "assert len(validated) == 1, validated\n"
        "assert \"['sqs:ChangeMessageVisibility', 'sqs:ChangeMessageVisibilityBatch', 'sqs:DeleteMessage', "
        "'sqs:DeleteMessageBatch', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']\" in first, first\n"
        "assert \"['sqs:SendMessage*']\" in second, second\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


# --- one file: cfn-lint in a helper process while the rest is judged -------------------------------------------


def _linting_processes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A file where each process that runs cfn-lint writes its id (a forked helper inherits the patch)."""
    record = tmp_path / "linted-by"
    real = lint._lint

    def recorded(*args: object) -> list:
        with record.open("a") as file:
            file.write(f"{os.getpid()}\n")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(lint, "_lint", recorded)
    return record


def _tpl002(report: RunReport) -> list[tuple[str, int, str]]:
    return [(f.rule_id, f.line, f.message) for file in report.files for f in file.findings if f.rule_id == "TPL002"]


@pytest.mark.parametrize("text", [BAD_RUNTIME, SAM_WITH_AN_UNDECIDED_CONDITION], ids=["plain", "sam"])
def test_one_file_is_linted_in_a_helper_with_the_same_findings(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    options = CheckOptions(today=CHECK_DATE)
    alone = check_paths([str(path)], options, jobs=1)
    record = _linting_processes(monkeypatch, tmp_path)
    beside = check_paths([str(path)], options, jobs=2)
    assert beside == alone and _tpl002(beside)
    linted_by = record.read_text().split()
    assert len(linted_by) == 1 and linted_by != [str(os.getpid())]  # the helper linted it, once
    assert multiprocessing.active_children() == []


def test_a_helper_that_dies_costs_nothing_but_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(BAD_RUNTIME)
    options = CheckOptions(today=CHECK_DATE)
    alone = check_paths([str(path)], options, jobs=1)
    record = _linting_processes(monkeypatch, tmp_path)
    monkeypatch.setattr(lint_beside, "_serve", lambda *args: os._exit(3))
    assert check_paths([str(path)], options, jobs=2) == alone
    assert record.read_text().split() == [str(os.getpid())]  # linted here instead
    assert multiprocessing.active_children() == []
