"""The baseline: `cfn-compliance baseline` records the findings of a real run by fingerprint, `check --baseline`
suppresses them and fails only on new ones, stale entries are listed and pruned, and a baseline that cannot be read
is a usage error. Each case runs the real CLI in a real git repository."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from checker.cli import main
from checker.evaluation.options import CheckOptions
from checker.findings import RunReport, Suppression
from checker.run.baseline import BaselineError, read_baseline
from checker.run.runner import check_paths

RULES = "COST002,COST003,SEC008"
FUNCTION = """\
Resources:
  Resizer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      MemorySize: 3008
      Role: arn:aws:iam::123456789012:role/resizer
      Code:
        ZipFile: "exports.handler = async () => {}"
"""
# Its findings under RULES, by (rule, resource, property path).
FINDINGS = [
    ("COST002", "Resizer", "Resources/Resizer/Properties/MemorySize"),
    ("COST003", "Resizer", "Resources/Resizer"),
    ("SEC008", "Resizer", "Resources/Resizer/Properties/Role"),
]
OPTIONS = CheckOptions(cfn_lint=False, only_rules=frozenset(RULES.split(",")), compare_reference=False)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    (root / "stacks").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / "stacks" / "resizer.yaml").write_text(FUNCTION, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _baseline(*argv: str) -> int:
    return _exit_code(["baseline", "--no-cfn-lint", "--rule", RULES, *argv])


def _check(*argv: str) -> int:
    return _exit_code(["check", "--no-cfn-lint", "--rule", RULES, *argv])


def _exit_code(argv: list[str]) -> int:
    """main's exit code, also when it exits (a usage error)."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


def _run(paths: list[str], baseline: str = ".cfn-compliance-baseline.json") -> RunReport:
    return check_paths(paths, OPTIONS, baseline=read_baseline(Path(baseline)))


def _kinds(report: RunReport) -> list[tuple[str, str, str | None]]:
    return [
        (file.location, finding.rule_id, finding.suppression.kind if finding.suppression else None)
        for file in report.files
        for finding in file.findings
    ]


def test_baseline_records_each_finding_by_fingerprint_in_a_stable_sorted_file(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    written = (repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8")
    document = json.loads(written)
    assert document["cfn-compliance-baseline"] == 1
    assert [(entry["rule"], entry["resource"], entry["property"], entry["path"]) for entry in document["findings"]] == [
        (*finding, "stacks/resizer.yaml") for finding in FINDINGS
    ]
    assert all(len(entry["fingerprint"]) == 32 for entry in document["findings"])
    assert "3 accepted findings" in capsys.readouterr().err
    assert _baseline("./stacks/") == 0  # the same findings, however the path is typed: the same bytes
    assert (repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8") == written


def test_check_with_the_baseline_suppresses_what_it_holds_and_passes(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    assert _check(".", "--baseline", ".cfn-compliance-baseline.json") == 0  # the file itself is skipped, and says what it is
    assert (
        "  .cfn-compliance-baseline.json — a cfn-compliance baseline of accepted findings, not a CloudFormation template"
        in capsys.readouterr().out.splitlines()
    )
    assert _check("stacks") == 1
    assert _check("stacks", "--baseline", ".cfn-compliance-baseline.json") == 0
    report = _run(["stacks"])
    assert _kinds(report) == [("stacks/resizer.yaml", rule, "baseline") for rule, _, _ in FINDINGS]
    assert report.files[0].findings[0].suppression == Suppression(
        "baseline", "accepted in the baseline .cfn-compliance-baseline.json"
    )
    assert report.baseline is not None and (report.baseline.matched, report.baseline.stale) == (3, ())
    capsys.readouterr()


def test_fingerprints_ignore_moved_lines_and_how_the_path_is_typed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _baseline("stacks/resizer.yaml") == 0
    template = repo / "stacks" / "resizer.yaml"
    template.write_text("# A comment moves every line down.\n\n" + FUNCTION, encoding="utf-8")
    monkeypatch.chdir(repo / "stacks")
    report = _run(["../stacks/./resizer.yaml"], "../.cfn-compliance-baseline.json")
    assert [kind for _, _, kind in _kinds(report)] == ["baseline"] * 3
    assert _check("resizer.yaml", "--baseline", "../.cfn-compliance-baseline.json") == 0


def test_only_new_findings_fail_and_the_same_rule_on_another_file_is_new(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    (repo / "stacks" / "copy.yaml").write_text(FUNCTION, encoding="utf-8")
    template = repo / "stacks" / "resizer.yaml"
    template.write_text(FUNCTION.replace("Runtime: nodejs22.x", "Runtime: nodejs22.x\n      Timeout: 900"), encoding="utf-8")
    report = _run(["stacks"])
    assert _kinds(report) == [
        *[("stacks/copy.yaml", rule, None) for rule, _, _ in FINDINGS],
        *[("stacks/resizer.yaml", rule, "baseline") for rule, _, _ in FINDINGS],
    ]
    assert _check("stacks/resizer.yaml", "--baseline", ".cfn-compliance-baseline.json") == 0
    assert _check("stacks", "--baseline", ".cfn-compliance-baseline.json") == 1
    capsys.readouterr()


def test_a_fixed_finding_leaves_a_stale_entry_that_prune_drops_without_accepting_new_ones(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    template = repo / "stacks" / "resizer.yaml"
    fixed_and_another = FUNCTION.replace("MemorySize: 3008", "MemorySize: 512") + FUNCTION.split("Resources:\n")[1].replace(
        "Resizer", "Thumbs"
    )
    template.write_text(fixed_and_another, encoding="utf-8")
    report = _run(["stacks"])
    assert report.baseline is not None
    assert [(entry.rule_id, entry.resource, entry.property_path) for entry in report.baseline.stale] == [FINDINGS[0]]
    assert report.baseline.matched == 2
    assert _check("stacks/resizer.yaml", "--baseline", ".cfn-compliance-baseline.json", "--rule", "COST003,SEC008") == 1
    assert _baseline("stacks", "--prune") == 0
    kept = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [(entry["rule"], entry["resource"]) for entry in kept] == [("COST003", "Resizer"), ("SEC008", "Resizer")]
    assert "2 accepted findings (1 stale dropped)" in capsys.readouterr().err


def test_a_stale_entry_is_listed_but_does_not_change_the_exit_code(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    (repo / "stacks" / "resizer.yaml").write_text(FUNCTION.replace("MemorySize: 3008", "MemorySize: 512"), encoding="utf-8")
    capsys.readouterr()
    assert _check("stacks", "--baseline", ".cfn-compliance-baseline.json") == 0
    assert capsys.readouterr().err == (
        "cfn-compliance: 1 entry matches nothing in the baseline .cfn-compliance-baseline.json any more; "
        "`cfn-compliance baseline --prune` drops them\n"
    )
    report = _run(["stacks"])
    assert report.baseline is not None and [entry.rule_id for entry in report.baseline.stale] == ["COST002"]


def test_entries_of_a_deleted_file_are_stale_and_of_an_unchecked_file_are_kept(repo: Path, capsys) -> None:
    (repo / "stacks" / "other.yaml").write_text(FUNCTION, encoding="utf-8")
    assert _baseline("stacks") == 0
    (repo / "stacks" / "other.yaml").unlink()
    (repo / "more").mkdir()
    (repo / "more" / "third.yaml").write_text(FUNCTION, encoding="utf-8")
    report = _run(["more"])
    assert report.baseline is not None
    assert {entry.path for entry in report.baseline.stale} == {"stacks/other.yaml"}
    assert _baseline("more") == 0  # a baseline of one folder keeps the entries of files it did not check, if they exist
    kept = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert sorted({entry["path"] for entry in kept}) == ["more/third.yaml", "stacks/resizer.yaml"]
    capsys.readouterr()


def test_the_configuration_names_the_baseline_relative_to_its_folder(repo: Path, monkeypatch, capsys) -> None:
    (repo / ".cfn-compliance.yaml").write_text("baseline: ci/accepted.json\npaths: [stacks]\n", encoding="utf-8")
    assert _baseline() == 0
    assert (repo / "ci" / "accepted.json").is_file()
    monkeypatch.chdir(repo / "stacks")
    assert _check() == 0
    assert main(["config", "--show"]) == 0
    assert 'baseline: "ci/accepted.json"  # ../.cfn-compliance.yaml:1' in capsys.readouterr().out
    assert _check("--no-suppressions") == 1  # an audit ignores the baseline too
    capsys.readouterr()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "the baseline missing.json does not exist (write it with `cfn-compliance baseline`)"),
        ('{"findings": [', "the baseline missing.json is not JSON (line 1, column 15: Expecting value)"),
        (
            '{"findings": []}',
            'the baseline missing.json is not a cfn-compliance baseline (expected {"cfn-compliance-baseline": 1, "findings": [...]})',
        ),
        (
            '{"cfn-compliance-baseline": 1, "findings": [{"rule": "COST002"}]}',
            "the baseline missing.json: entry 1 needs a fingerprint, a rule and a path",
        ),
    ],
)
def test_a_baseline_that_cannot_be_read_is_a_usage_error(repo: Path, capsys, content: str | None, message: str) -> None:
    if content is not None:
        (repo / "missing.json").write_text(content, encoding="utf-8")
    assert _check("stacks", "--baseline", "missing.json") == 2
    assert capsys.readouterr().err == f"cfn-compliance: error: {message}\n"
    with pytest.raises(BaselineError, match=r"missing\.json"):
        read_baseline(Path("missing.json"))
    assert _baseline("stacks", "--output", "missing.json", "--prune") == 2


def test_an_invalid_input_is_not_recorded_and_the_command_says_so(repo: Path, capsys) -> None:
    (repo / "stacks" / "broken.yaml").write_text("Resources:\n  A: [\n", encoding="utf-8")
    assert _baseline("stacks") == 2
    assert "stacks/broken.yaml is not a template it can judge (TPL001): not recorded" in capsys.readouterr().err
    kept = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert {entry["path"] for entry in kept} == {"stacks/resizer.yaml"}


def test_an_inline_suppression_is_not_recorded_again(repo: Path, capsys) -> None:
    suppressed = FUNCTION.replace(
        "    Properties:\n",
        "    Metadata:\n      cfn-compliance:\n        suppress:\n"
        '          - rule: COST002\n            reason: "image processing needs 3 GB of memory"\n    Properties:\n',
        1,
    )
    (repo / "stacks" / "resizer.yaml").write_text(suppressed, encoding="utf-8")
    assert _baseline("stacks") == 0
    kept = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [entry["rule"] for entry in kept] == ["COST003", "SEC008"]
    capsys.readouterr()


def test_the_reports_carry_baseline_suppressions_and_stale_entries_end_to_end(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    (repo / "stacks" / "resizer.yaml").write_text(FUNCTION.replace("MemorySize: 3008", "MemorySize: 512"), encoding="utf-8")
    capsys.readouterr()
    assert _check("stacks", "--baseline", ".cfn-compliance-baseline.json", "--format", "json", "--output", "sarif=out.sarif") == 0
    document = json.loads(capsys.readouterr().out)
    assert [(finding["rule_id"], finding["suppressed"]) for finding in document["files"][0]["findings"]] == [
        (rule, {"kind": "baseline", "reason": "accepted in the baseline .cfn-compliance-baseline.json", "expires": None})
        for rule in ("COST003", "SEC008")
    ]
    assert document["baseline"]["path"] == ".cfn-compliance-baseline.json"
    assert [(entry["rule_id"], entry["path"]) for entry in document["baseline"]["stale"]] == [("COST002", "stacks/resizer.yaml")]
    sarif = json.loads((repo / "out.sarif").read_text(encoding="utf-8"))
    assert [result["suppressions"][0]["kind"] for result in sarif["runs"][0]["results"]] == ["external", "external"]


def test_rules_a_run_did_not_judge_keep_their_entries_in_check_prune_and_baseline(repo: Path, capsys) -> None:
    assert _baseline("stacks") == 0
    assert _check("stacks", "--baseline", ".cfn-compliance-baseline.json", "--rule", "COST002") == 0
    assert "match nothing" not in capsys.readouterr().err
    assert _exit_code(["baseline", "--no-cfn-lint", "--rule", "COST002", "stacks"]) == 0
    assert _exit_code(["baseline", "--no-cfn-lint", "--rule", "COST002", "--prune", "stacks"]) == 0
    kept = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert [(entry["rule"], entry["resource"], entry["property"]) for entry in kept] == FINDINGS
    assert capsys.readouterr().err.splitlines()[-1] == (
        "cfn-compliance: .cfn-compliance-baseline.json: 3 accepted findings (0 stale dropped)"
    )


def test_a_tpl002_entry_survives_a_run_without_the_cfn_lint_pass(repo: Path, capsys) -> None:
    (repo / "stacks" / "resizer.yaml").write_text(
        FUNCTION.replace("      Runtime:", "      Bogus: 1\n      Runtime:"), encoding="utf-8"
    )
    assert main(["baseline", "--rule", "TPL002", "stacks"]) == 0
    [entry] = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert entry["rule"] == "TPL002"
    assert main(["check", "stacks", "--rule", "TPL002", "--baseline", ".cfn-compliance-baseline.json"]) == 0
    assert main(["check", "stacks", "--rule", "TPL002", "--no-cfn-lint", "--baseline", ".cfn-compliance-baseline.json"]) == 0
    assert main(["baseline", "--rule", "TPL002", "--no-cfn-lint", "--prune", "stacks"]) == 0
    assert len(json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]) == 1
    assert "match nothing" not in capsys.readouterr().err


def test_paths_start_at_the_files_repository_wherever_the_run_starts(repo: Path, monkeypatch, capsys) -> None:
    (repo / "stacks" / "other.yaml").write_text(FUNCTION, encoding="utf-8")
    assert _baseline("stacks") == 0
    monkeypatch.chdir(repo.parent)  # outside the repository
    assert _check("repo/stacks/resizer.yaml", "--baseline", "repo/.cfn-compliance-baseline.json") == 0
    assert "match nothing" not in capsys.readouterr().err
    assert _baseline("repo/stacks/resizer.yaml", "--output", "repo/.cfn-compliance-baseline.json", "--prune") == 0
    assert len(json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]) == 6
    (repo.parent / "link").symlink_to(repo)
    monkeypatch.chdir(repo.parent / "link")  # through a symbolic link to it, the file named absolutely as the shell would
    report = _run([str(repo.parent / "link" / "stacks" / "other.yaml")])
    assert [file.location for file in report.files] == ["stacks/other.yaml"]
    assert [kind for _, _, kind in _kinds(report)] == ["baseline"] * 3
    capsys.readouterr()


def test_a_bad_suppression_is_never_recorded_nor_accepted(repo: Path, capsys) -> None:
    bad = FUNCTION.replace(
        "    Properties:\n",
        '    Metadata:\n      cfn-compliance:\n        suppress:\n          - rule: COST999\n            reason: "no such rule"\n'
        "    Properties:\n",
        1,
    )
    (repo / "stacks" / "resizer.yaml").write_text(bad, encoding="utf-8")
    assert _exit_code(["baseline", "--no-cfn-lint", "--rule", f"{RULES},TPL004", "stacks"]) == 0
    kept = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert "TPL004" not in [entry["rule"] for entry in kept]
    tampered = json.loads((repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8"))
    report = check_paths(["stacks"], dataclasses.replace(OPTIONS, only_rules=OPTIONS.only_rules | {"TPL004"}))
    audit = [
        print_
        for file in report.files
        for finding, print_ in zip(file.findings, file.fingerprints(), strict=True)
        if finding.rule_id == "TPL004"
    ]
    tampered["findings"].append({"fingerprint": audit[0], "rule": "TPL004", "path": "stacks/resizer.yaml"})
    (repo / ".cfn-compliance-baseline.json").write_text(json.dumps(tampered), encoding="utf-8")
    assert (
        _exit_code(
            ["check", "--no-cfn-lint", "--rule", f"{RULES},TPL004", "stacks", "--baseline", ".cfn-compliance-baseline.json"]
        )
        == 1
    )
    tampered_run = check_paths(
        ["stacks"],
        dataclasses.replace(OPTIONS, only_rules=OPTIONS.only_rules | {"TPL004"}),
        baseline=read_baseline(Path(".cfn-compliance-baseline.json")),
    )
    [audit_finding] = [finding for finding in tampered_run.files[0].findings if finding.rule_id == "TPL004"]
    assert (audit_finding.suppression, audit_finding.message) == (
        None,
        "COST999 is not a rule of the catalogue (see `cfn-compliance rules`).",
    )
    capsys.readouterr()


def test_odd_baseline_inputs_get_a_clear_answer(repo: Path, capsys) -> None:
    assert _check("stacks", "--baseline", "") == 2
    assert "--baseline expects a file, got an empty path" in capsys.readouterr().err
    assert _baseline("-") == 2
    assert "`-` (standard input) has no place there" in capsys.readouterr().err
    (repo / "empty").mkdir()
    assert _baseline("empty", "--output", "never.json") == 2
    assert not (repo / "never.json").exists()
    assert _baseline("stacks") == 0
    written = (repo / ".cfn-compliance-baseline.json").read_text(encoding="utf-8")
    (repo / "bom.json").write_text("\ufeff" + written, encoding="utf-8")
    assert _check("stacks", "--baseline", "bom.json") == 0
    (repo / "deep.json").write_text('{"cfn-compliance-baseline": 1, "findings": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert _check("stacks", "--baseline", "deep.json") == 2
    assert capsys.readouterr().err.endswith("is not a cfn-compliance baseline (nested too deeply to read)\n")
