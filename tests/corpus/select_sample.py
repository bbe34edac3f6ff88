"""Rebuild tests/corpus/, the sample of real templates that the robustness sweep always runs, from the full corpus.

    python tests/corpus/select_sample.py [--corpus ../shared/corpus] [--check]

The full corpus (1,651 public templates, ../shared/corpus beside the checkout) is not in the repository, so a fresh
clone sweeps this sample instead. The choice is a pure function of the corpus: its INDEX.tsv and each file's bytes,
read with PyYAML and json only (not with the checker, whose changes must not move the sample). Each criterion below
takes files in a fixed order, and the same corpus always gives the same sample. Files are copied byte for byte
under their corpus folder and name; INDEX.tsv beside this script says where each came from and why it was chosen.
With --check nothing is written: the exit code says whether the sample on disk is the one this script selects.

The test suite never runs this script; it reads only the files and INDEX.tsv it wrote.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shutil
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
LICENCES = {  # the corpus folder names the source; its README gives the repository and licence
    "aws-cloudformation-templates": "Apache-2.0",
    "cfn-lint": "MIT-0",
    "cfn_nag": "MIT",
    "checkov": "Apache-2.0",
}
COLUMNS = ("file", "source_repository", "source_path", "licence", "format", "is_sam", "resources", "bytes", "sha256", "why")

# Files that once broke what the sweep asserts, found by replaying every commit of the project's history over the
# full corpus (README.md beside this script says how). From the first commit to cd723a9 the report of an invalid
# file held TPL001 alone, so every other rule went unaccounted for; a5d756e made it list every selected rule.
# No commit crashed a check on, hung on or lost the verdict of any corpus file. Kept whatever the criteria pick.
LOST_RULE_RESULTS = "invalid, and until a5d756e judged by TPL001 alone (the other rules unaccounted for)"
ONCE_BROKE: dict[str, str] = dict.fromkeys(
    (
        "aws-cloudformation-templates/APIGateway__apigateway_lambda_integration.yaml",
        "aws-cloudformation-templates/CloudFormation__CustomResources__getfromjson__src__getfromjson.yml",
        "aws-cloudformation-templates/CloudFormation__MacrosExamples__DateFunctions__date.yaml",
        "aws-cloudformation-templates/CloudFormation__MacrosExamples__PyPlate__python.yaml",
        "aws-cloudformation-templates/CloudFormation__MacrosExamples__StringFunctions__string.yaml",
        "aws-cloudformation-templates/CloudFormation__StackSets__common-resources-stackset.yaml",
        "aws-cloudformation-templates/CloudFormation__StackSets__common-resources.json",
        "aws-cloudformation-templates/CloudFormation__StackSets__common-resources.yaml",
        "aws-cloudformation-templates/CloudFormation__StackSets__log-setup-management.yaml",
        "aws-cloudformation-templates/ElastiCache__Elasticache-snapshot.yaml",
        "aws-cloudformation-templates/IoT__amzn2-greengrass-cfn.yaml",
        "aws-cloudformation-templates/RainModules__api-resource.yml",
        "aws-cloudformation-templates/RainModules__bucket.yml",
        "aws-cloudformation-templates/RainModules__static-site.yml",
        "aws-cloudformation-templates/Solutions__GitLabAndVSCode__GitLabAndVSCode.json",
        "aws-cloudformation-templates/Solutions__GitLabAndVSCode__GitLabAndVSCode.yaml",
        "aws-cloudformation-templates/Solutions__GitLab__GitLabServer.json",
        "aws-cloudformation-templates/Solutions__GitLab__GitLabServer.yaml",
        "aws-cloudformation-templates/Solutions__Gitea__Gitea.json",
        "aws-cloudformation-templates/Solutions__Gitea__Gitea.yaml",
        "aws-cloudformation-templates/Solutions__VSCode__VSCodeServer.json",
        "aws-cloudformation-templates/Solutions__VSCode__VSCodeServer.yaml",
        "cfn-lint/test__fixtures__templates__bad__conditions__and.yaml",
        "cfn-lint/test__fixtures__templates__bad__conditions__equals.yaml",
        "cfn-lint/test__fixtures__templates__bad__conditions__equals_not_useful.yaml",
        "cfn-lint/test__fixtures__templates__bad__core__conditions_list.yaml",
        "cfn-lint/test__fixtures__templates__bad__core__conditions_missing.yaml",
        "cfn-lint/test__fixtures__templates__bad__core__config_parameters.yaml",
        "cfn-lint/test__fixtures__templates__bad__duplicate.json",
        "cfn-lint/test__fixtures__templates__bad__duplicate.yaml",
        "cfn-lint/test__fixtures__templates__bad__mappings__name.yaml",
        "cfn-lint/test__fixtures__templates__bad__parameters__default.yaml",
        "cfn-lint/test__fixtures__templates__bad__resources__primary_identifiers.yaml",
        "cfn-lint/test__fixtures__templates__bad__templates__base.yaml",
        "cfn-lint/test__fixtures__templates__bad__templates__base_date.yaml",
        "cfn-lint/test__fixtures__templates__bad__templates__base_null.yaml",
        "cfn-lint/test__fixtures__templates__good__core__config_cfn_lint.json",
        "cfn-lint/test__fixtures__templates__good__core__config_cfn_lint.yaml",
        "cfn-lint/test__fixtures__templates__good__core__config_only_i1002.yaml",
        "cfn-lint/test__fixtures__templates__good__core__config_only_i1003.yaml",
        "cfn-lint/test__fixtures__templates__good__core__config_parameters.yaml",
        "cfn-lint/test__fixtures__templates__good__mappings__name.yaml",
        "cfn-lint/test__fixtures__templates__good__parameters__default.yaml",
        "cfn-lint/test__fixtures__templates__integration__metdata.yaml",
        "checkov/tests__cloudformation__runner__resources__invalid.yaml",
    ),
    LOST_RULE_RESULTS,
)

# Deliberately broken checkov fixtures: its parser's and runner's invalid inputs and its file-format oddities.
CHECKOV_BROKEN_PREFIXES = (
    "tests/cloudformation/parser/",
    "tests/cloudformation/runner/resources/invalid",
    "tests/cloudformation/file_formats/",
    "tests/cloudformation/utils/file_formats/",
)
PER_FEATURE = 16  # for each shape below: the 8 files with the most of it, and 8 spread over the others that have it
LARGEST = 20  # the largest stacks by resource count
SHARE_PER_GROUP = 0.10  # at least this share of each (repository, format) group, spread over its files


@dataclass
class Template:
    """One corpus file: its INDEX.tsv row and the shapes read from it."""

    row: dict[str, str]
    parsed: bool = False
    duplicate_keys: bool = False
    conditions: int = 0
    mappings: int = 0
    parameters_without_default: int = 0
    inline_code: int = 0  # characters of Lambda ZipFile / SAM InlineCode
    iam: int = 0  # IAM resources plus policy statements
    why: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.row["file"]

    @property
    def source(self) -> str:
        return self.file.split("/", 1)[0]


# Shapes the sample must hold several of: (reason, how much of it a file has, the least that counts).
SHAPES: list[tuple[str, Callable[[Template], int], int]] = [
    ("Conditions", lambda t: t.conditions, 1),
    ("Mappings", lambda t: t.mappings, 1),
    ("parameters without defaults", lambda t: t.parameters_without_default, 1),
    ("inline Lambda code", lambda t: t.inline_code, 1),
    ("IAM-heavy", lambda t: t.iam, 5),  # IAM resources plus policy statements
]


class _Loader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags as plain values and notes a key written twice."""

    duplicate = False


def _tagged(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return {suffix: loader.construct_mapping(node, deep=True)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    assert isinstance(node, yaml.ScalarNode)
    return {suffix: loader.construct_scalar(node)}


def _mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool, type(None))):
            continue  # a complex key: no template has one, and it cannot be a dict key
        loader.duplicate = loader.duplicate or key in mapping
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_Loader.add_multi_constructor("!", _tagged)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def _load(path: Path, form: str) -> tuple[Any, bool]:
    """The document and whether a mapping repeats a key; raises on text that is not JSON or YAML."""
    text = path.read_bytes().decode("utf-8-sig")
    if form == "json":
        duplicate = False

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            nonlocal duplicate
            duplicate = duplicate or len({key for key, _ in items}) != len(items)
            return dict(items)

        return json.loads(text, object_pairs_hook=pairs), duplicate
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicate
    finally:
        loader.dispose()


def _walk(value: Any) -> Iterable[tuple[Any, Any]]:
    """Every (key, value) pair of every mapping in the document."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                yield key, child
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def _section(document: dict[str, Any], name: str) -> dict[Any, Any]:
    section = document.get(name)
    return section if isinstance(section, dict) else {}


def _read(corpus: Path, row: dict[str, str]) -> Template:
    template = Template(row)
    try:
        document, template.duplicate_keys = _load(corpus / row["file"], row["format"])
    except (ValueError, yaml.YAMLError, RecursionError):
        return template
    if not isinstance(document, dict):
        return template
    template.parsed = True
    template.conditions = len(_section(document, "Conditions"))
    template.mappings = len(_section(document, "Mappings"))
    template.parameters_without_default = sum(
        1 for parameter in _section(document, "Parameters").values() if isinstance(parameter, dict) and "Default" not in parameter
    )
    resources = _section(document, "Resources").values()
    template.iam = sum(
        1 for resource in resources if isinstance(resource, dict) and str(resource.get("Type", "")).startswith("AWS::IAM::")
    )
    for key, value in _walk(document):
        if key in ("ZipFile", "InlineCode") and isinstance(value, (str, dict)):
            template.inline_code += len(json.dumps(value))
        elif key == "Statement":
            template.iam += len(value) if isinstance(value, list) else 1
    return template


def _spread(items: list[Template], count: int) -> list[Template]:
    """`count` items evenly spaced over `items` (in their order): the middle of each of `count` equal slices."""
    if count >= len(items):
        return list(items)
    return [items[(2 * index + 1) * len(items) // (2 * count)] for index in range(count)]


def _extremes_and_spread(items: list[Template], measure: Callable[[Template], int], least: int, count: int) -> list[Template]:
    """The files with the most of something, then as many spread over the others that have at least `least` of it."""
    having = sorted((item for item in items if measure(item) >= least), key=lambda item: (-measure(item), item.file))
    top = having[: count // 2]
    rest = sorted(having[count // 2 :], key=lambda item: item.file)
    return top + _spread(rest, count - len(top))


def select(corpus: Path) -> list[Template]:
    """The sample, in the order a directory search finds it, each file with every reason it was chosen."""
    with (corpus / "INDEX.tsv").open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    templates = [_read(corpus, row) for row in rows]
    by_file = {template.file: template for template in templates}
    missing = sorted(set(ONCE_BROKE) - set(by_file))
    if missing:
        raise SystemExit(f"files named in ONCE_BROKE are not in the corpus: {missing}")

    def choose(chosen: Iterable[Template], why: str) -> None:
        for template in chosen:
            if why not in template.why:
                template.why.append(why)

    for name, why in ONCE_BROKE.items():
        choose([by_file[name]], f"once broke: {why}")
    choose((t for t in templates if t.row["is_sam"] == "True"), "SAM")
    choose((t for t in templates if t.duplicate_keys), "duplicate keys")
    choose((t for t in templates if not t.parsed), "not a JSON or YAML mapping")
    choose((t for t in templates if t.source == "cfn-lint" and "/templates/bad/" in t.row["source_path"]), "cfn-lint bad fixture")
    choose(
        (t for t in templates if t.source == "checkov" and t.row["source_path"].startswith(CHECKOV_BROKEN_PREFIXES)),
        "checkov parser/runner/file-format fixture",
    )
    largest = sorted(templates, key=lambda t: (-int(t.row["resources"]), t.file))[:LARGEST]
    choose(largest, "largest by resource count")
    for why, measure, least in SHAPES:
        choose(_extremes_and_spread(templates, measure, least, PER_FEATURE), why)
    groups: dict[tuple[str, str], list[Template]] = {}
    for template in templates:
        groups.setdefault((template.source, template.row["format"]), []).append(template)
    for (source, form), members in sorted(groups.items()):
        wanted = max(2, round(len(members) * SHARE_PER_GROUP))
        have = sum(1 for member in members if member.why)
        unchosen = [member for member in members if not member.why]
        choose(_spread(unchosen, max(0, wanted - have)), f"spread over {source} {form}")
    return sorted((template for template in templates if template.why), key=lambda template: template.file)


def _index_rows(corpus: Path, sample: list[Template]) -> list[dict[str, str]]:
    return [
        {
            **{
                column: template.row[column]
                for column in ("file", "source_repository", "source_path", "format", "is_sam", "resources", "bytes")
            },
            "licence": LICENCES[template.source],
            "sha256": hashlib.sha256((corpus / template.file).read_bytes()).hexdigest(),
            "why": "; ".join(template.why),
        }
        for template in sample
    ]


def _index_text(rows: list[dict[str, str]]) -> str:
    lines = ["\t".join(COLUMNS), *("\t".join(row[column] for column in COLUMNS) for row in rows)]
    return "\n".join(lines) + "\n"


def _differences(corpus: Path, rows: list[dict[str, str]]) -> list[str]:
    """What differs between the sample on disk and the one selected: files, bytes, index."""
    index = HERE / "INDEX.tsv"
    problems = [] if index.is_file() and index.read_text() == _index_text(rows) else ["INDEX.tsv differs"]
    wanted = {row["file"] for row in rows}
    on_disk = {str(path.relative_to(HERE)) for source in LICENCES for path in (HERE / source).glob("*") if path.is_file()}
    problems += [f"missing: {name}" for name in sorted(wanted - on_disk)]
    problems += [f"not selected: {name}" for name in sorted(on_disk - wanted)]
    problems += [
        f"changed: {name}" for name in sorted(wanted & on_disk) if (HERE / name).read_bytes() != (corpus / name).read_bytes()
    ]
    return problems


def _write(corpus: Path, rows: list[dict[str, str]]) -> None:
    for source in LICENCES:
        shutil.rmtree(HERE / source, ignore_errors=True)
        (HERE / source).mkdir()
    for row in rows:
        shutil.copyfile(corpus / row["file"], HERE / row["file"])
    (HERE / "INDEX.tsv").write_text(_index_text(rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the full corpus (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the sample on disk differs")
    args = parser.parse_args(argv)
    if not (args.corpus / "INDEX.tsv").is_file():
        print(f"no corpus at {args.corpus} (its INDEX.tsv is missing)", file=sys.stderr)
        return 2
    sample = select(args.corpus)
    rows = _index_rows(args.corpus, sample)
    counts: dict[str, int] = {}
    for template in sample:
        for why in template.why:
            key = "once broke" if why.startswith("once broke") else why
            counts[key] = counts.get(key, 0) + 1
    print("chosen for (a file can be chosen for several reasons):")
    for why, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"{count:5d}  {why}")
    print("holding (whatever it was chosen for):")
    for why, measure, least in SHAPES:
        print(f"{sum(1 for template in sample if measure(template) >= least):5d}  {why}")
    for form in ("json", "yaml"):
        print(f"{sum(1 for row in rows if row['format'] == form):5d}  {form}")
    for source in LICENCES:
        print(f"{sum(1 for row in rows if row['file'].startswith(source + '/')):5d}  from {source}")
    print(f"{len(rows):5d}  files, {sum(int(row['bytes']) for row in rows):,} bytes")
    if args.check:
        problems = _differences(args.corpus, rows)
        print("\n".join(problems) or "the sample on disk is the one selected")
        return 1 if problems else 0
    _write(args.corpus, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
