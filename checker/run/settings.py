"""The effective settings of a run: the defaults, then the configuration file, then the command line, each value
remembering where it came from (`config --show`), and the CheckOptions they make."""

from __future__ import annotations

import glob as globbing
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from checker.evaluation.options import CheckOptions, ParameterSet
from checker.globs import Exclusion
from checker.run.config import CONFIG_NAME, ConfigFile

DEFAULTS: dict[str, object] = {
    "fail_on": "warning",
    "fail_on_unknown": False,
    "rules": [],
    "skip_rules": [],
    "rule_parameters": {},
    "severity": {},
    "template_parameters": {},
    "paths": [],
    "exclude": [],
    "baseline": None,
    "cfn_lint": True,
}
DEFAULT_REGIONS = ("us-east-1",)


@dataclass(frozen=True)
class CommandLine:
    """What the command line said about the configurable settings; None or empty: it said nothing."""

    fail_on: str | None = None
    fail_on_unknown: bool = False
    no_cfn_lint: bool = False
    rules: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = ()
    parameters: dict[str, str] = field(default_factory=dict)
    paths: tuple[str, ...] = ()
    baseline: str | None = None


@dataclass(frozen=True)
class Setting:
    value: object
    source: str  # "default", "<file>:<line>", or "command line (--option)"


@dataclass(frozen=True)
class Settings:
    config: ConfigFile | None
    values: dict[str, Setting]
    parameters: dict[str, str]  # --parameter, over every file's template_parameters
    command_line_paths: tuple[str, ...]

    def value(self, key: str) -> object:
        return self.values[key].value

    def _list(self, key: str) -> list[str]:
        return cast("list[str]", self.value(key))

    def _mapping(self, key: str) -> dict[str, Any]:
        return cast("dict[str, Any]", self.value(key))

    def options(self, **extra: object) -> CheckOptions:
        """The CheckOptions these settings make; `extra`: what is not configurable (compare_reference, today)."""
        severities = self._mapping("severity")
        named = set(self._list("rules"))
        off = {rule_id for rule_id, severity in severities.items() if severity == "off"}
        if self.values["rules"].source.startswith("command line"):
            off -= named  # --rule ID runs the rule even where the file turned it off
        lint = self.value("cfn_lint")
        lint_options = lint if isinstance(lint, dict) else {}
        return CheckOptions(
            parameters=dict(self.parameters),
            cfn_lint=bool(lint is not False),
            only_rules=frozenset(named),
            skip_rules=frozenset(self._list("skip_rules")) | off,
            fail_on=str(self.value("fail_on")),
            fail_on_unknown=bool(self.value("fail_on_unknown")),
            rule_parameters={rule_id: dict(values) for rule_id, values in self._mapping("rule_parameters").items()},
            severities={rule_id: severity for rule_id, severity in severities.items() if severity != "off"},
            template_parameters=self._parameter_sets(),
            lint_ignore_checks=tuple(lint_options.get("ignore_checks", ())),
            lint_regions=tuple(lint_options.get("regions", DEFAULT_REGIONS)),
            **extra,  # type: ignore[arg-type]
        )

    def _parameter_sets(self) -> tuple[ParameterSet, ...]:
        if self.config is None:
            return ()
        sets = self._mapping("template_parameters")
        return tuple(
            ParameterSet(
                base=os.path.abspath(self.config.folder),
                glob=pattern,
                values={name: _parameter_text(value) for name, value in values.items()},
                source=f"template_parameters[{pattern!r}] ({self.config.path.name})",
            )
            for pattern, values in sets.items()
        )

    def baseline_path(self, cwd: Path) -> str | None:
        """The baseline to read, as the user would type it: --baseline as given, the configuration's relative to its folder."""
        setting = self.values["baseline"]
        if setting.value is None:
            return None
        if self.config is not None and not setting.source.startswith("command line"):
            return _as_typed(self.config.folder / str(setting.value), cwd)
        return str(setting.value)

    def exclusion(self) -> Exclusion | None:
        globs = tuple(self._list("exclude"))
        if not globs or self.config is None:
            return None
        return Exclusion(os.path.abspath(self.config.folder), globs, str(self.config.path))

    def inputs(self, cwd: Path) -> tuple[list[str], list[str], list[str]]:
        """What `check` checks: the command line's paths, else the configuration's `paths` (relative to its
        folder; a glob's files are treated as found by a search: what is plainly not CloudFormation is skipped).
        Returns (paths named, files a glob found, globs that matched nothing)."""
        if self.command_line_paths or self.config is None:
            return list(self.command_line_paths), [], []
        named: list[str] = []
        found: list[str] = []
        empty: list[str] = []
        base = self.config.folder
        for entry in self._list("paths"):
            if not globbing.has_magic(entry):
                named.append(_as_typed(base / entry, cwd))
                continue
            matches = sorted(globbing.glob(entry, root_dir=base, recursive=True))
            if not matches:
                empty.append(entry)
            for match in matches:
                (named if (base / match).is_dir() else found).append(_as_typed(base / match, cwd))
        return named, found, empty


def _parameter_text(value: object) -> str:
    """A configured value as --parameter would give it: YAML's true is CloudFormation's "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_typed(path: Path, cwd: Path) -> str:
    """A configured path as the user would type it from the working directory (how reports name the file)."""
    absolute = os.path.normpath(path)
    try:
        return os.path.relpath(absolute, cwd)
    except ValueError:  # another drive (Windows)
        return absolute


def effective_settings(config: ConfigFile | None, command_line: CommandLine) -> Settings:
    """Each key from the command line if it said something, else from the file if it has the key, else the default."""
    values = {key: Setting(default, "default") for key, default in DEFAULTS.items()}
    if config is not None:
        for key, value in config.values.items():
            values[key] = Setting(value, config.where(key))
    given = {
        "fail_on": (command_line.fail_on, "--fail-on"),
        "fail_on_unknown": (True if command_line.fail_on_unknown else None, "--fail-on-unknown"),
        "cfn_lint": (False if command_line.no_cfn_lint else None, "--no-cfn-lint"),
        "rules": (list(command_line.rules) or None, "--rule"),
        "skip_rules": (list(command_line.skip_rules) or None, "--skip-rule"),
        "paths": (list(command_line.paths) or None, "PATH"),
        "baseline": (command_line.baseline, "--baseline"),
    }
    for key, (value, option) in given.items():
        if value is not None:
            values[key] = Setting(value, f"command line ({option})")
    return Settings(config, values, dict(command_line.parameters), tuple(command_line.paths))


def render_settings(settings: Settings) -> str:
    """`config --show`: YAML a user could copy (JSON's flow style), each key followed by where it came from."""
    config = settings.config
    if config is None:
        lines = [f"# no configuration file found ({CONFIG_NAME} or [tool.cfn-compliance] in pyproject.toml)"]
    else:
        lines = [f"# configuration file: {config.path}"]
        if config.not_read is not None:
            lines.append(f"# not read: [tool.cfn-compliance] in {config.not_read} ({CONFIG_NAME} beside it wins)")
    for key, setting in settings.values.items():
        lines.append(f"{key}: {_flow(setting.value)}  # {setting.source}")
    if settings.parameters:
        lines.append(f"# --parameter, over template_parameters for every file: {_flow(settings.parameters)}")
    return "\n".join(lines) + "\n"


def _flow(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
