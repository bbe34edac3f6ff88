"""The configuration file: found, read and validated, every error naming the key and the line it is on.

`.cfn-compliance.yaml`, or a `[tool.cfn-compliance]` table in `pyproject.toml`, in the working directory or the
nearest folder above it, up to the repository root (never above: a checkout is not configured by its parent
folder). When one folder has both, `.cfn-compliance.yaml` is read: the tool's own file is the more specific,
as with ruff's `ruff.toml`; the table is named as not read, so no one edits it in vain.

The file is checked against `checker/data/config.schema.json`, to which the rule catalogue adds its ids and
each rule's parameters (their types those of the defaults), so a misspelt rule id or parameter is an error.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.bundled import DATA
from checker.evaluation.catalogue import load_catalogue
from checker.load.template import MarkedDict, MarkedList
from checker.run.locations import repository_root

CONFIG_NAME = ".cfn-compliance.yaml"
PYPROJECT = "pyproject.toml"
CONFIG_SCHEMA = DATA / "config.schema.json"
_TOML_TABLE = ("tool", "cfn-compliance")

KeyPath = tuple[str | int, ...]


class ConfigError(Exception):
    """The configuration cannot be used: a usage error (exit 2), with the file, line and key in its message."""


@dataclass(frozen=True)
class ConfigFile:
    """A validated configuration: its values, where it is, and the line of each top-level key."""

    path: Path
    values: dict[str, object]
    lines: dict[str, int]
    not_read: Path | None = None  # a pyproject.toml with [tool.cfn-compliance] beside it, shadowed

    @property
    def folder(self) -> Path:
        return self.path.parent

    def where(self, key: str) -> str:
        """The file and line a key is on, as `config --show` writes it."""
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else str(self.path)


def find_config(cwd: Path) -> Path | None:
    """The configuration for a run started in `cwd`: the nearest folder, up to the repository root, with a
    .cfn-compliance.yaml or a pyproject.toml holding [tool.cfn-compliance]."""
    root = repository_root(cwd)
    for folder in (cwd, *cwd.parents):
        own = folder / CONFIG_NAME
        if own.is_file():
            return own
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_table(pyproject):
            return pyproject
        if folder == root:
            break
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "cfn-compliance" not in text:
        return False
    try:
        document = _toml_loads(text)
    except ValueError:
        return True  # read_config says what is wrong with it
    return isinstance(document.get("tool"), dict) and "cfn-compliance" in document["tool"]


def read_config(path: Path) -> ConfigFile:
    """Read and validate one configuration file; ConfigError says what is wrong, and where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: the configuration file does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a folder, not a configuration file") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: is not UTF-8 text") from None
    if path.name == PYPROJECT:
        values, locate, prefix = _read_toml(path, text)
    else:
        values, locate, prefix = _read_yaml(path, text)
    problems = sorted(set(_problems(values, locate, prefix)), key=lambda problem: (problem[0] or 0, problem[1]))
    if problems:
        raise ConfigError("\n".join(f"{path}:{line}: {message}" if line else f"{path}: {message}" for line, message in problems))
    lines = {key: line for key in values if (line := locate((key,))) is not None}
    not_read = path.parent / PYPROJECT if path.name == CONFIG_NAME else None
    if not_read is not None and not (not_read.is_file() and _has_table(not_read)):
        not_read = None
    return ConfigFile(path, values, lines, not_read)


Locate = Callable[[KeyPath], "int | None"]


def _read_yaml(path: Path, text: str) -> tuple[dict[str, object], Locate, str]:
    from checker.load.document import parse_document
    from checker.load.template import LoadError

    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        return {}, lambda _: None, ""  # an empty configuration changes nothing
    try:
        data = parse_document(text)
    except LoadError as error:
        raise ConfigError(f"{path}:{error.line}:{error.column}: {error.message}") from None
    if data is None:
        return {}, lambda _: None, ""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the configuration must be a mapping of keys (fail_on:, rules:, ...)")
    return data, lambda key_path: _yaml_line(data, key_path), ""


def _yaml_line(data: object, key_path: KeyPath) -> int | None:
    """The line of the deepest key (or list item) of `key_path` that is written in the file."""
    line, node = None, data
    for step in key_path:
        if isinstance(node, MarkedDict) and step in node.key_marks:
            line, node = node.key_marks[step].line, node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and step < len(node.item_marks):
            line, node = node.item_marks[step].line, node[step]
        else:
            break
    return line


def _toml_loads(text: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # requires-python is 3.10: tomli is installed there (pyproject.toml)
        import tomli as tomllib
    return tomllib.loads(text)


def _read_toml(path: Path, text: str) -> tuple[dict[str, object], Locate, str]:
    try:
        document = _toml_loads(text)
    except ValueError as error:  # tomllib.TOMLDecodeError: its message ends with "(at line N, column M)"
        raise ConfigError(f"{path}: {error}") from None
    table = document.get("tool", {}).get("cfn-compliance")
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: tool.cfn-compliance: must be a table ([tool.cfn-compliance])")
    return table, lambda key_path: _toml_line(text, (*_TOML_TABLE, *key_path)), "tool.cfn-compliance."


_TOML_HEADER = re.compile(r"^\s*\[\[?([^\[\]]+)\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")
_TOML_PART = re.compile(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""")


def _toml_line(text: str, key_path: KeyPath) -> int | None:
    """The line of a TOML key: the table header or `key =` line that names most of the path (a key inside an
    inline table is on its table's line). tomllib keeps no positions, so the lines are read again."""
    wanted = tuple(str(step) for step in key_path if isinstance(step, str))
    best, best_length = None, 0
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        key = None if header else _TOML_KEY.match(line)
        named: tuple[str, ...]
        if header:
            table = _dotted(header.group(1))
            named = table
        elif key:
            named = (*table, *_dotted(key.group(1)))
        else:
            continue
        if len(named) > best_length and named == wanted[: len(named)]:
            best, best_length = number, len(named)
    return best


def _dotted(key: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") for part in _TOML_PART.findall(key))


def config_schema() -> dict:
    """The shipped schema with the catalogue's rule ids and, per rule, the parameters it declares."""
    schema = json.loads(CONFIG_SCHEMA.read_text(encoding="utf-8"))
    rules = load_catalogue()
    schema["$defs"]["rule_id"] = {"enum": [rule.id for rule in rules]}
    schema["properties"]["rule_parameters"]["properties"] = {
        rule.id: {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: {"type": _json_type(default)} for name, default in rule.parameters.items()},
        }
        for rule in rules
        if rule.parameters
    }
    return schema


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if isinstance(value, str) else "array" if isinstance(value, list) else "object"


_TYPE_NAMES = {
    "boolean": "a boolean (true or false)",
    "integer": "a whole number",
    "number": "a number",
    "string": "a string",
    "array": "a list",
    "object": "a mapping",
}


def _problems(values: dict[str, object], locate: Locate, prefix: str) -> Iterator[tuple[int | None, str]]:
    """Each schema violation as (line, "key.path: what is wrong")."""
    import jsonschema

    schema = config_schema()
    for error in jsonschema.Draft202012Validator(schema).iter_errors(values):
        path: KeyPath = tuple(error.absolute_path)
        if "propertyNames" in error.absolute_schema_path:  # a key refused by name (a rule id): said about the key
            where = (*path, str(error.instance))
            yield locate(where), f"{prefix}{_key_text(where)}: {_unknown_key(path, str(error.instance), error)}"
        elif error.validator == "additionalProperties":
            for key in _unwanted_keys(error):
                where = (*path, key)
                yield locate(where), f"{prefix}{_key_text(where)}: {_unknown_key(path, key, error)}"
        else:
            yield locate(path), f"{prefix}{_key_text(path)}: {_wrong_value(path, error)}"


def _unwanted_keys(error) -> list[str]:
    allowed = error.schema.get("properties", {})
    return [str(key) for key in error.instance if key not in allowed]


def _unknown_key(path: KeyPath, key: str, error) -> str:
    rule_ids = [rule.id for rule in load_catalogue()]
    if path in (("rule_parameters",), ("severity",)) and key not in rule_ids:
        return "unknown rule id (see `cfn-compliance rules`)"
    if path == ("rule_parameters",):
        with_parameters = [rule.id for rule in load_catalogue() if rule.parameters]
        return f"{key} declares no parameters (rules with parameters: {', '.join(with_parameters)})"
    if len(path) == 2 and path[0] == "rule_parameters":
        declared = ", ".join(error.schema.get("properties", {}))
        return f"{path[1]} has no parameter {key} (it declares: {declared})"
    known = ", ".join(error.schema.get("properties", {}))
    return f"unknown key (known keys: {known})"


def _wrong_value(path: KeyPath, error) -> str:
    got = json.dumps(error.instance, default=str)
    if error.validator == "enum" and error.schema["enum"] and error.schema["enum"][0] == load_catalogue()[0].id:
        return f"unknown rule id {got} (see `cfn-compliance rules`)"
    if error.validator == "enum":
        return f"expected one of {', '.join(map(str, error.schema['enum']))}, got {got}"
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        names = [_TYPE_NAMES.get(str(kind), str(kind)) for kind in expected]
        listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
        return f"expected {listed}, got {got}"
    if error.validator == "pattern" and "ignore_checks" in path:
        return f"{got} is not a cfn-lint rule id or prefix (E3012, E30, W)"
    if error.validator == "pattern" and "regions" in path:
        return f"{got} is not an AWS region name (us-east-1)"
    if error.validator in ("minLength", "minItems"):
        return "must not be empty"
    return str(error.message)


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def _key_text(path: KeyPath) -> str:
    text = ""
    for step in path:
        if isinstance(step, int) or not _PLAIN_KEY.fullmatch(step):
            text += f"[{json.dumps(step)}]"
        else:
            text += f".{step}" if text else step
    return text or "(top)"
