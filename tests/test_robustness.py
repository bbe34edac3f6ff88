"""Real and large inputs: every corpus template gets a verdict, Guard copes with many failing resources.

The sample in tests/corpus/ (public templates kept in the repository, see its README.md) is swept on every run;
the full corpus at ../shared/corpus is swept too where it exists, as in this workspace and its CI."""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

import pytest

from checker.evaluation.catalogue import load_catalogue
from checker.evaluation.options import CheckOptions
from checker.findings import RunReport
from checker.run.discover import select_files
from checker.run.files import check_file
from checker.run.runner import check_paths
from tests.conftest import CHECK_DATE, ROOT

SAMPLE = ROOT / "tests" / "corpus"
SOURCES = ("aws-cloudformation-templates", "cfn-lint", "cfn_nag", "checkov")  # the sample's folders, one per repository
CORPUS = ROOT.parent / "shared" / "corpus"
OPTIONS = CheckOptions(cfn_lint=False, today=CHECK_DATE)
CATALOGUE_IDS = [rule.id for rule in load_catalogue()]
JOBS = max(2, os.cpu_count() or 1)  # worker processes keep the sweeps quick; each must still give every file its verdict


def _index(folder: Path) -> list[dict[str, str]]:
    """The rows of a corpus's INDEX.tsv; a missing index fails the test that asked for it."""
    index = folder / "INDEX.tsv"
    if not index.is_file():
        pytest.fail(f"{index} is missing")
    with index.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _assert_every_file_judged(report: RunReport, files: list[str]) -> None:
    """In order, every file has a verdict and every rule of the catalogue a result, and nothing crashed."""
    assert [file.path for file in report.files] == files
    assert report.skipped == ()
    crashed: list[str] = []
    for file in report.files:
        assert file.status in ("compliant", "non_compliant", "invalid"), file.path
        assert [result.rule_id for result in file.results] == CATALOGUE_IDS, file.path
        crashed.extend(f"{file.path}: {result.message}" for result in file.results if "crashed" in (result.message or ""))
        crashed.extend(
            f"{file.path}: {finding.message}" for finding in file.findings if "bug in cfn-compliance" in finding.message
        )
        crashed.extend(f"{file.path}: {note}" for note in file.notes if "bug in cfn-compliance" in note)
    assert crashed == []


def test_the_sample_is_indexed_unchanged_and_licensed() -> None:
    """Each kept file is the corpus file byte for byte (the sha256 its index recorded), and each source's licence is kept."""
    rows = _index(SAMPLE)
    assert len(rows) >= 250
    on_disk = sorted(str(path.relative_to(SAMPLE)) for source in SOURCES for path in (SAMPLE / source).iterdir())
    assert on_disk == sorted(row["file"] for row in rows)
    changed = [row["file"] for row in rows if hashlib.sha256((SAMPLE / row["file"]).read_bytes()).hexdigest() != row["sha256"]]
    assert changed == []
    assert {row["file"].split("/", 1)[0] for row in rows} == set(SOURCES)
    assert all(row["source_repository"] and row["source_path"] and row["licence"] and row["why"] for row in rows)
    assert all(any((SAMPLE / "licences" / source).iterdir()) for source in SOURCES)


def test_every_sample_template_gets_a_verdict_and_no_check_crashes() -> None:
    """The sample is found by directory search exactly as indexed, so a lost or unrecognised file fails here."""
    rows = _index(SAMPLE)
    assert len(rows) >= 250
    paths = [str(SAMPLE / source) for source in SOURCES]
    files = list(select_files(paths).files)
    assert files == sorted(str(SAMPLE / row["file"]) for row in rows)  # the order a directory search gives
    _assert_every_file_judged(check_paths(paths, OPTIONS, jobs=JOBS), files)


ABSENT = pytest.mark.skip(reason=f"the full corpus is absent ({CORPUS}): only the sample in tests/corpus was swept")
FULL_CORPUS = pytest.param(CORPUS, id="shared-corpus", marks=[] if CORPUS.is_dir() else [ABSENT])


@pytest.mark.parametrize("corpus", [FULL_CORPUS])
def test_every_full_corpus_template_gets_a_verdict_and_no_check_crashes(corpus: Path) -> None:
    """Where the full corpus sits beside the checkout, all of it is swept; the sample matches it byte for byte."""
    rows = _index(corpus)
    assert len(rows) > 1000
    files = list(select_files([str(corpus)]).files)
    assert files == sorted(str(corpus / row["file"]) for row in rows)
    differing = [
        row["file"] for row in _index(SAMPLE) if (SAMPLE / row["file"]).read_bytes() != (corpus / row["file"]).read_bytes()
    ]
    assert differing == []
    _assert_every_file_judged(check_paths([str(corpus)], OPTIONS, jobs=JOBS), files)


def test_guard_judges_a_hundred_failing_tables(tmp_path: Path) -> None:
    tables = "".join(
        f"  Table{index}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
        for index in range(100)
    )
    path = tmp_path / "tables.yaml"
    path.write_text("Resources:\n" + tables)
    report = check_file(str(path), CheckOptions(cfn_lint=False, only_rules=frozenset({"SEC006"}), today=CHECK_DATE))
    assert [(finding.resource, finding.line) for finding in report.findings] == [
        (f"Table{index}", 4 + 5 * index)
        for index in range(100)  # anchored on Properties: SSESpecification is missing
    ]
    assert report.results[0].status == "fail"


def test_a_template_with_hundreds_of_wired_parts_is_recognised(tmp_path: Path) -> None:
    """Recognition looks up references, not every pair of resources: big stacks stay quick and right."""
    parts = "".join(
        f"  Queue{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n"
        f"      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq{i}.Arn, maxReceiveCount: 5}}\n"
        f"  Dlq{i}:\n    Type: AWS::SQS::Queue\n"
        f"  Fn{i}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n"
        f"      Role: !Sub arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/r\n      Code: {{ZipFile: 'exports.handler = 1'}}\n"
        f"  Map{i}:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
        f"      EventSourceArn: !GetAtt Queue{i}.Arn\n      FunctionName: !Ref Fn{i}\n"
        for i in range(300)
    )
    path = tmp_path / "many.yaml"
    path.write_text("Resources:\n" + parts)
    report = check_file(str(path), CheckOptions(cfn_lint=False, only_rules=frozenset({"COST003", "ARCH006"}), today=CHECK_DATE))
    assert [(result.rule_id, result.status) for result in report.results] == [("ARCH006", "pass"), ("COST003", "fail")]
    assert [finding.resource for finding in report.findings] == [f"Fn{i}" for i in range(300)]


def test_inline_code_too_large_to_analyse_quickly_is_unknown_not_slow(tmp_path: Path) -> None:
    body = "".join(f"  const v{index} = {index};\n" for index in range(7000))  # ~140 KiB
    code = "exports.handler = async (event) => {\n" + body + "};\n"
    template = tmp_path / "big-code.yaml"
    indented = "".join(f"          {line}\n" for line in code.splitlines())
    template.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs22.x\n"
        "      Handler: index.handler\n      Role: !GetAtt R.Arn\n      Code:\n        ZipFile: |\n"
        + indented
        + "  R:\n    Type: AWS::IAM::Role\n    Properties: {AssumeRolePolicyDocument: {}}\n"
    )
    options = CheckOptions(cfn_lint=False, today=CHECK_DATE, only_rules=frozenset({"ARCH010", "ARCH011", "REL006"}))
    report = check_file(str(template), options)
    size = len(code) // 1024
    expected = (
        f"the inline code of Fn is {size} KiB; code over 128 KiB is not analysed (package it and deploy it from S3 instead)"
    )
    assert [(result.rule_id, result.status, result.message) for result in report.results] == [
        ("ARCH010", "unknown", expected),
        ("ARCH011", "unknown", expected),
        ("REL006", "unknown", expected),
    ]
