"""Bytes to a CloudFormation template with a source mark on every key.

YAML and JSON both go through libyaml's event stream, and the tree is built here
iteratively: no recursion to overflow on deep nesting, aliases counted so a
"billion laughs" document is refused instead of expanded, and no YAML tag ever
constructs a Python object. A Markdown answer gives up its largest template block
(found by checker.load.markdown), every mark still that of the answer. Anything that is not a
template raises LoadError.
"""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from checker.load.markdown import (
    WRAPPER_LANGUAGES,
    CodeBlock,
    declares_resources,
    fenced_blocks,
    is_markdown_path,
    looks_like_template,
    may_hold_template,
    only_block,
    prose_lines,
    split_lines,
    wrapped_blocks,
)

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 200
MAX_NODES = 2_000_000
MAX_BLOCKS = 10_000  # code blocks in a Markdown answer; real answers have a handful
TOO_DEEP = f"the document nests deeper than {MAX_DEPTH} levels; refusing to load it"


class Mark(NamedTuple):
    line: int
    column: int


ORIGIN = Mark(1, 1)


class MarkedDict(dict):
    """A mapping that remembers where each of its keys was written."""

    __slots__ = ("key_marks", "start")

    def __init__(self, start: Mark = ORIGIN) -> None:
        super().__init__()
        self.key_marks: dict[str, Mark] = {}
        self.start = start


class MarkedList(list):
    """A sequence that remembers where each of its items was written."""

    __slots__ = ("item_marks", "start")

    def __init__(self, start: Mark = ORIGIN) -> None:
        super().__init__()
        self.item_marks: list[Mark] = []
        self.start = start


class LoadError(Exception):
    """The input holds no CloudFormation template; the message says why.

    `not_cloudformation` marks inputs that parsed but are plainly something else (prose,
    another tool's YAML): a directory search skips those instead of failing on them."""

    def __init__(self, message: str, line: int = 1, column: int = 1, *, not_cloudformation: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.not_cloudformation = not_cloudformation


@dataclass(frozen=True)
class Template:
    """A loaded template. `text` is what was parsed (for a Markdown answer: its template block, every other
    line blank, so lines match the answer's); `start` is where the template begins, the mark of paths that
    name nothing written; `notes` are the loader's remarks for the report."""

    path: str
    data: MarkedDict
    text: str = ""
    start: Mark = ORIGIN
    notes: tuple[str, ...] = ()

    @cached_property
    def resources(self) -> MarkedDict:
        """The declared resources; Fn::ForEach loops of the LanguageExtensions transform are left out."""
        declared = self.data["Resources"]
        if not any(name.startswith("Fn::ForEach::") for name in declared):
            return declared
        kept = MarkedDict(declared.start)
        for name, resource in declared.items():
            if not name.startswith("Fn::ForEach::"):
                kept[name] = resource
                kept.key_marks[name] = declared.key_marks[name]
        return kept

    def origin(self, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """Where the user wrote what `path` names: the path itself, unless a transform generated it."""
        return path

    def explained(self, message: str, path: tuple[str | int, ...] = ()) -> str:
        """A finding's message (at `path`) in terms of what the user wrote: as is, unless a transform generated the stack."""
        return message

    def mark_at(self, path: tuple[str | int, ...]) -> Mark:
        """The mark of the deepest key of `path` that exists in the source."""
        node: object = self.data
        mark = self.start
        for step in path:
            if isinstance(node, MarkedDict) and step in node:
                mark = node.key_marks.get(step, mark)  # type: ignore[arg-type]
                node = node[step]
            elif isinstance(node, MarkedList) and isinstance(step, int) and 0 <= step < len(node):
                mark = node.item_marks[step]
                node = node[step]
            else:
                break
        return mark


# --- short-form intrinsic tags -------------------------------------------------

_FN_TAGS = {
    "!Ref": "Ref",
    "!Condition": "Condition",
    **{
        f"!{name}": f"Fn::{name}"
        for name in (
            "And Base64 Cidr Equals FindInMap ForEach GetAZs GetAtt If ImportValue Join Length "
            "Not Or Select Split Sub ToJsonString Transform "
            # functions of the template's Rules section
            "Contains EachMemberEquals EachMemberIn RefAll ValueOf ValueOfAll"
        ).split()
    },
}
_CORE = "tag:yaml.org,2002:"
_CORE_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "binary", "timestamp")}

_INT = re.compile(r"[-+]?[0-9]+$")  # YAML 1.2 core schema: 012 is the integer 12
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def _plain_scalar(value: str, mark: Mark = ORIGIN) -> object:
    """YAML 1.2 core-schema resolution of an unquoted scalar."""
    if value in _NULLS:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        try:
            return int(value)
        except ValueError:  # more digits than Python converts (4,300): no template holds such a number
            raise LoadError(f"a number {len(value):,} digits long; refusing to read it", *mark) from None
    if _FLOAT.match(value) and any(ch.isdigit() for ch in value):
        return float(value)
    return value


def _tagged_scalar(tag: str, value: str, mark: Mark) -> object:
    if tag == _CORE + "str" or tag == _CORE + "binary" or tag == _CORE + "timestamp":
        return value
    if tag in (_CORE + "int", _CORE + "float", _CORE + "bool", _CORE + "null"):
        resolved = _plain_scalar(value, mark)
        return resolved if resolved is not None or tag == _CORE + "null" else value
    raise _tag_error(tag, mark)


def _tag_error(tag: str, mark: Mark) -> LoadError:
    if tag.startswith("tag:yaml.org,2002:python/"):
        return LoadError(
            f"YAML tag '!!{tag.split(':', 2)[-1]}' asks for a Python object; "
            "CloudFormation templates never contain such tags and nothing was constructed",
            *mark,
        )
    return LoadError(f"unknown YAML tag '{tag}': CloudFormation understands only its intrinsic-function tags", *mark)


def _getatt_scalar(value: str) -> list[str]:
    logical_id, _, attribute = value.partition(".")
    return [logical_id, attribute]


class _Places:
    """libyaml's 0-based (line, column) as the file's Mark. libyaml also ends lines at NEL, U+2028 and U+2029,
    which editors, Markdown and JSON do not: in a text holding one, its lines are mapped back to the file's.
    `offset` lines of the file precede the text (a code block of a Markdown answer)."""

    __slots__ = ("offset", "starts")

    def __init__(self, text: str, offset: int) -> None:
        self.offset = offset
        self.starts: list[tuple[int, int]] | None = None  # per libyaml line: the file's line, the columns before it
        if _YAML_ONLY_BREAK.search(text):
            self.starts, line, line_start = [(0, 0)], 0, 0
            for found in _ANY_YAML_BREAK.finditer(text):
                if _YAML_ONLY_BREAK.match(found.group()):
                    self.starts.append((line, found.end() - line_start))
                else:
                    line, line_start = line + 1, found.end()
                    self.starts.append((line, 0))

    def at(self, line: int, column: int) -> Mark:
        if self.starts is None or line >= len(self.starts):
            return Mark(line + 1 + self.offset, column + 1)
        file_line, before = self.starts[line]
        return Mark(file_line + 1 + self.offset, before + column + 1)

    def of(self, mark: Mark) -> Mark:
        """A 1-based mark in libyaml's lines (as _within gives it), in the file's."""
        return self.at(mark.line - 1, mark.column - 1)


def _mark(event, places: _Places) -> Mark:
    return places.at(event.start_mark.line, event.start_mark.column)


class _Frame:
    """A mapping or sequence being built, with what its parent needs to finish it."""

    __slots__ = ("anchor", "container", "key", "key_mark", "nodes_before", "wrap")

    def __init__(self, container, wrap, anchor, nodes_before) -> None:
        self.container = container
        self.key: str | None = None
        self.key_mark: Mark | None = None
        self.wrap = wrap
        self.anchor = anchor
        self.nodes_before = nodes_before


def _build(text: str, offset: int = 0) -> object:
    """Build the first YAML document of `text` from parser events, iteratively; `offset` lines precede it in its file."""
    import yaml

    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    places = _Places(text, offset)
    anchors: dict[str, tuple[object, int]] = {}
    stack: list[_Frame] = []
    nodes = 0
    documents = 0
    root: object = None
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event).__name__
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    raise LoadError(
                        "the file holds more than one YAML document; a template is one document", *_mark(event, places)
                    )
                continue
            if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                frame = stack.pop()
                value = frame.container
                if frame.anchor:
                    anchors[frame.anchor] = (value, nodes - frame.nodes_before)
                value, mark = (frame.wrap(value) if frame.wrap else value), frame.container.start
            else:
                mark = _mark(event, places)
                nodes += 1
                if nodes > MAX_NODES:
                    raise LoadError(f"the document has more than {MAX_NODES:,} values; refusing to load it", *mark)
                tag = getattr(event, "tag", None)
                wrap = None
                if tag and tag != "!" and tag not in _CORE_TAGS:
                    if tag not in _FN_TAGS:
                        raise _tag_error(tag, mark)
                    wrap = _short_form(_FN_TAGS[tag], mark)
                if kind == "AliasEvent":
                    if event.anchor not in anchors:
                        raise LoadError(f"alias '*{event.anchor}' refers to no anchor", *mark)
                    value, weight = anchors[event.anchor]
                    nodes += weight
                    if nodes > MAX_NODES:
                        raise LoadError(
                            f"YAML aliases expand to more than {MAX_NODES:,} values (an alias bomb?); refusing to expand them",
                            *mark,
                        )
                elif kind == "ScalarEvent":
                    if event.implicit[0] and (not tag or tag == "!"):
                        value = _plain_scalar(event.value, mark) if not event.style else event.value
                    elif tag in _CORE_TAGS:
                        value = _tagged_scalar(tag, event.value, mark)
                    else:
                        value = event.value
                    if tag == "!GetAtt" and isinstance(value, str):
                        value = _getatt_scalar(value)
                    if wrap:
                        value = wrap(value)
                    if event.anchor:
                        anchors[event.anchor] = (value, 1)
                else:  # a collection starts
                    if len(stack) >= MAX_DEPTH:
                        raise LoadError(TOO_DEEP, *mark)
                    container = MarkedDict(mark) if kind == "MappingStartEvent" else MarkedList(mark)
                    stack.append(_Frame(container, wrap, event.anchor, nodes))
                    continue
            if not stack:
                root = value
                continue
            _add(stack[-1], value, mark)
    except yaml.MarkedYAMLError as error:
        problem_mark = error.problem_mark or error.context_mark
        where = places.of(_within(text, Mark(problem_mark.line + 1, problem_mark.column + 1) if problem_mark else ORIGIN))
        if error.problem == "exceeded maximum nesting depth":  # libyaml's own limit, met in flow style before ours
            raise LoadError(TOO_DEEP, *where) from None
        problem = error.problem or error.context or "invalid YAML"
        context_mark = error.context_mark
        if error.context and context_mark and context_mark is not problem_mark:
            context = places.of(_within(text, Mark(context_mark.line + 1, context_mark.column + 1)))
            problem += f" ({error.context} at line {context.line}, column {context.column})"
        if "cannot start any token" in problem and _character_at(text, where.line - offset, where.column) == "\t":
            problem += "; YAML indents with spaces, never tabs"
        raise LoadError(f"YAML syntax error: {problem}", *where) from None
    except yaml.reader.ReaderError as error:
        # Its position counts characters for the Python reader, bytes of UTF-8 for libyaml's.
        encoded = loader_class is not yaml.SafeLoader
        before = (
            text.encode("utf-8", "surrogatepass")[: error.position].decode("utf-8", "replace")
            if encoded
            else text[: error.position]
        )
        line, column = before.count("\n") + 1, len(before) - before.rfind("\n")
        character = error.character if isinstance(error.character, int) else ord(error.character)
        raise LoadError(f"YAML error: unacceptable character U+{character:04X}: {error.reason}", line + offset, column) from None
    except yaml.YAMLError as error:
        raise LoadError(f"YAML error: {error}") from None
    finally:
        loader.dispose()
    return root


_YAML_BREAKS = ("\n", "\r", "\x85", "\u2028", "\u2029")  # what libyaml counts as line breaks (\r\n is one)
_ANY_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_YAML_ONLY_BREAK = re.compile("[\x85\u2028\u2029]")  # the ones that editors, Markdown and JSON do not count


def _within(text: str, mark: Mark) -> Mark:
    """libyaml puts an error met at the end of a text without a final line break on a line after
    the last: the end of the last line is where the reader should look."""
    lines = 1 + sum(text.count(brk) for brk in _YAML_BREAKS) - text.count("\r\n")
    if mark.line <= lines:
        return mark
    start = max((text.rfind(brk) + 1 for brk in _YAML_BREAKS if brk in text), default=0)
    return Mark(lines, len(text) - start + 1)


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line)
    return lines[line - 1][column - 1 : column] if 0 < line <= len(lines) else ""


def _short_form(function: str, mark: Mark):
    def wrap(value: object) -> MarkedDict:
        wrapped = MarkedDict(mark)
        wrapped[function] = value
        wrapped.key_marks[function] = mark
        return wrapped

    return wrap


def _add(frame: _Frame, value: object, mark: Mark) -> None:
    container = frame.container
    if isinstance(container, MarkedList):
        container.append(value)
        container.item_marks.append(mark)
        return
    if frame.key is None:
        if isinstance(value, (dict, list)):
            raise LoadError("a mapping key must be a plain value, not a mapping or list", *mark)
        key = value if isinstance(value, str) else _key_text(value)
        if key in container:
            first = container.key_marks[key]
            raise LoadError(f"duplicate key '{key}' (first at line {first.line}); CloudFormation rejects duplicate keys", *mark)
        frame.key, frame.key_mark = key, mark
        return
    container[frame.key] = value
    container.key_marks[frame.key] = frame.key_mark  # type: ignore[assignment]
    frame.key = None


def _key_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- bytes to text --------------------------------------------------------------


def decode(raw: bytes) -> str:
    """Text of the file, or LoadError for what is plainly not a text template."""
    if len(raw) > MAX_BYTES:
        raise LoadError(
            f"the file is larger than {MAX_BYTES // 1048576} MiB; such templates are refused "
            "(CloudFormation itself accepts at most 1 MB)"
        )
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or (
        len(raw) >= 4 and (raw[1::2][:2] == b"\x00\x00" or raw[0::2][:2] == b"\x00\x00")
    ):
        raise LoadError("the file is UTF-16 text; CloudFormation templates are read as UTF-8: save it as UTF-8")
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _position(raw, nul)
        raise LoadError(f"binary content: NUL byte at offset {nul}", line, column)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _position(raw, error.start)
        raise LoadError(f"not valid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start})", line, column) from None
    return text.removeprefix("\ufeff")


def _position(raw: bytes, offset: int) -> Mark:
    line = raw.count(b"\n", 0, offset) + 1
    return Mark(line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1)


# --- text to template -----------------------------------------------------------

_PLACEHOLDER = re.compile(r"\b(insert here|placeholder|lorem ipsum)\b", re.IGNORECASE)
_LEADING_TABS = re.compile(r"^[ \t]+", re.MULTILINE)
_SURROGATE_PAIR = re.compile(r"(?<!\\)((?:\\\\)*)\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _astral_escape(match: re.Match) -> str:
    high, low = int(match.group(2), 16) - 0xD800, int(match.group(3), 16) - 0xDC00
    return f"{match.group(1)}\\U{0x10000 + (high << 10) + low:08X}"


def _astral_string(match: re.Match) -> str:
    literal, pairs = _SURROGATE_PAIR.subn(_astral_escape, match.group(0))
    return literal + "  " * pairs


def parse_document(text: str, json_only: bool = False, first_line: int = 1) -> object:
    """Parse YAML or JSON text into marked data; JSON errors get JSON's own position.

    Text that opens like JSON but is not JSON may still be YAML in flow style, unless
    the file is named *.json. `first_line` is the line of the file where `text` starts
    (a code block of a Markdown answer): every mark and message counts the file's lines."""
    offset = first_line - 1
    if not text:
        raise LoadError("the file is empty", first_line)
    if not text.strip():
        raise LoadError("the file holds only whitespace", first_line)
    if text.lstrip()[:1] in ("{", "["):
        try:
            json.loads(text)
        except json.JSONDecodeError as error:
            json_error = LoadError(f"JSON syntax error: {error.msg}", error.lineno + offset, error.colno)
            if json_only:
                raise json_error from None
            try:
                return _build(text, offset)
            except LoadError:
                raise json_error from None
        except RecursionError:
            raise LoadError(TOO_DEEP, first_line) from None
        except ValueError:
            pass  # a number too long for Python's int(): the YAML reading below says where
        # libyaml refuses tab indentation; one space per tab keeps every column where it was.
        text = _LEADING_TABS.sub(lambda m: m.group(0).replace("\t", " "), text)
        # libyaml refuses JSON's surrogate-pair escapes (json.dumps writes emoji so): spelled \U0010FFFF instead,
        # two characters shorter, and two spaces after the string keep every later column where it was.
        if _SURROGATE_PAIR.search(text):
            text = _JSON_STRING.sub(_astral_string, text)
    return _build(text, offset)


def as_template(data: object, path: str, text: str = "", start: Mark = ORIGIN) -> Template:
    """Accept `data` only if it has the shape of a CloudFormation template; `start` is where it begins in its file."""
    if isinstance(data, str):
        if _PLACEHOLDER.search(data):
            raise LoadError(f"the file is a placeholder, not a template: {data.strip()[:80]!r}", *start, not_cloudformation=True)
        raise LoadError("the file holds prose or a single value, not a CloudFormation template", *start, not_cloudformation=True)
    if data is None:
        raise LoadError("the file holds only comments or an empty document", *start, not_cloudformation=True)
    if not isinstance(data, dict):
        raise LoadError(
            f"the document is {_kind(data)}; a CloudFormation template is a mapping with a Resources section",
            *start,
            not_cloudformation=True,
        )
    if "Resources" not in data:
        raise LoadError(
            f"{_what_it_looks_like(data)}: it has no Resources section",
            *start,
            not_cloudformation="AWSTemplateFormatVersion" not in data and "Transform" not in data,
        )
    resources = data["Resources"]
    mark = data.key_marks["Resources"] if isinstance(data, MarkedDict) else start
    if resources is None:
        raise LoadError("Resources has no value; a template declares at least one resource", *mark)
    if not isinstance(resources, dict):
        raise LoadError(f"Resources is {_kind(resources)}, not a mapping of logical ids to resources", *mark)
    if not resources:
        raise LoadError("Resources is empty; a template declares at least one resource", *mark)
    for logical_id, resource in resources.items():
        if logical_id.startswith("Fn::ForEach::"):
            continue  # expanded by the AWS::LanguageExtensions transform at deployment
        where = resources.key_marks.get(logical_id, mark) if isinstance(resources, MarkedDict) else mark
        if not isinstance(resource, dict):
            raise LoadError(f"resource '{logical_id}' is not a mapping", *where)
        if not isinstance(resource.get("Type"), str) or not resource["Type"]:
            raise LoadError(f"resource '{logical_id}' has no Type", *where)
    return Template(path=path, data=data, text=text, start=start)  # type: ignore[arg-type]


def _kind(value: object) -> str:
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a single value"


def _what_it_looks_like(data: dict) -> str:
    if "apiVersion" in data and "kind" in data:
        return "this looks like a Kubernetes manifest, not a CloudFormation template"
    if "jobs" in data and ("on" in data or "true" in data or True in data):
        return "this looks like a GitHub Actions workflow, not a CloudFormation template"
    if "service" in data and "provider" in data:
        return "this looks like a Serverless Framework file (serverless.yml), not a CloudFormation template"
    if "openapi" in data or "swagger" in data:
        return "this looks like an OpenAPI document, not a CloudFormation template"
    return "this is not a CloudFormation template"


def load_text(text: str, path: str) -> Template:
    """The template in `text`: the text itself, or the template block of a Markdown answer.

    A *.md file is read as Markdown. Any other file is first read as a template, so a
    template whose code or Description holds ``` stays itself; only when that fails and
    the text has fenced code blocks is it read as a Markdown answer."""
    if is_markdown_path(path):
        return _load_markdown(text, path)
    try:
        return _load_bare(text, path)
    except LoadError as error:
        blocks = _fenced_blocks(text) if "```" in text or "~~~" in text else []
        if not blocks:
            raise
        try:
            return _from_blocks(text, path, blocks)
        except _NoTemplateBlock as markdown_error:
            if _starts_like_yaml(text):
                raise error from None  # a broken template with fences in its strings: its own error says more
            raise markdown_error from None


def _load_bare(text: str, path: str) -> Template:
    try:
        data = parse_document(text, json_only=path.lower().endswith(".json"))
    except LoadError as error:
        if not (error.message.startswith("YAML syntax error") and _starts_with_prose(text)):
            raise
        data = text  # prose with a colon in it: say it is prose, not where YAML gave up
    return as_template(data, path, text)


# --- Markdown answers -----------------------------------------------------------


class _NoTemplateBlock(LoadError):
    """The Markdown holds no template block, nor a block that looks like a broken one."""


def _fenced_blocks(text: str) -> list[CodeBlock]:
    blocks = fenced_blocks(text, limit=MAX_BLOCKS + 1)
    if len(blocks) > MAX_BLOCKS:
        raise LoadError(f"the Markdown has more than {MAX_BLOCKS:,} code blocks; refusing to read it", blocks[-1].fence_line)
    return blocks


def _load_markdown(text: str, path: str) -> Template:
    blocks = _fenced_blocks(text)
    if not blocks:
        try:
            return _load_bare(text, path)  # a bare template saved as .md is still a template
        except LoadError:
            pass
    return _from_blocks(text, path, blocks)


def _from_blocks(text: str, path: str, blocks: list[CodeBlock], *, unwrap: bool = True) -> Template:
    """The largest template block, on the Markdown's own lines; LoadError when there is none.

    Only a block in a template's language that names a template key can hold a template; such
    blocks are read largest first, at most _READ_BLOCKS of them (an answer has a handful). When
    none is found, the blocks inside a ```markdown block are read the same way (one level deep)."""
    candidates = sorted(
        (block for block in blocks if may_hold_template(block) and looks_like_template(block)),
        key=lambda block: -len(block.lines),
    )  # a stable sort: of blocks of one size, the first written comes first
    templates: list[tuple[CodeBlock, Template]] = []
    broken: list[tuple[CodeBlock, LoadError]] = []
    for block in candidates[:_READ_BLOCKS]:
        try:
            data = parse_document(block.text, json_only=block.language == "json", first_line=block.first_line)
            templates.append((block, as_template(data, path, start=Mark(block.first_line, 1))))
        except LoadError as error:
            broken.append((block, error))
    if broken and broken[0][0] is candidates[0]:  # the largest template block is the answer's, and it is broken
        error = broken[0][1]
        smaller = sorted(block.fence_line for block, _ in templates)
        loaded = (
            f"; the smaller template block at {_lines(smaller)} loads but was not checked"
            if len(smaller) == 1
            else f"; the {len(smaller)} smaller template blocks at {_lines(smaller)} load but were not checked"
        )
        raise LoadError(error.message + (loaded if smaller else ""), error.line, error.column)
    if not templates:
        for wrapper in [block for block in blocks if block.language in WRAPPER_LANGUAGES] if unwrap else []:
            try:
                template = _from_blocks(text, path, wrapped_blocks(wrapper), unwrap=False)
            except _NoTemplateBlock:
                continue
            where = f"the template was taken from inside the {wrapper.language} block at line {wrapper.fence_line}"
            return replace(template, notes=(where, *template.notes))
        raise _no_template(text, blocks)
    chosen, template = templates[0]
    fragments = [
        block for block in blocks if may_hold_template(block) and not looks_like_template(block) and declares_resources(block)
    ]
    notes = _block_notes(chosen, templates[1:], broken, candidates, fragments)
    return replace(template, text=only_block(text, chosen), notes=notes)


def _block_notes(
    chosen: CodeBlock, others: list, broken: list, candidates: list[CodeBlock], fragments: list[CodeBlock]
) -> tuple[str, ...]:
    """What the report should say about the checked block when it runs to the end, and about the blocks that were
    not checked: other templates, broken ones, and pieces of a template (a "part 2", a resource to add)."""
    notes = []
    if not chosen.closed:
        notes.append(
            f"the {chosen.language or 'unlabelled'} block at line {chosen.fence_line} is never closed "
            "and was read to the end of the file: the answer may be cut off"
        )
    if others:
        lines = sorted(block.fence_line for block, _ in others)
        were = "was" if len(lines) == 1 else "were"
        notes.append(
            f"{_count(len(lines), 'other template block')} ({_lines(lines)}) {were} not checked; "
            f"the largest, at line {chosen.fence_line}, was"
        )
    if fragments:
        lines = [block.fence_line for block in fragments]
        verbs = (
            "declares resources outside a template and was"
            if len(lines) == 1
            else "declare resources outside a template and were"
        )
        notes.append(f"{_count(len(lines), 'block')} ({_lines(lines)}) {verbs} not checked")
    broken = sorted(broken, key=lambda item: item[0].fence_line)
    notes.extend(
        f"the {block.language or 'unlabelled'} block at line {block.fence_line} looks like a template but does not load "
        f"({error.message}, line {error.line}, column {error.column}); it was not checked"
        for block, error in broken[:_LISTED]
    )
    if len(broken) > _LISTED:
        notes.append(f"{_count(len(broken) - _LISTED, 'more block')} that look like templates do not load either")
    if len(candidates) > _READ_BLOCKS:
        notes.append(
            f"{_count(len(candidates) - _READ_BLOCKS, 'more block')} that look like templates were not read "
            f"(the {_READ_BLOCKS} largest are)"
        )
    return tuple(notes)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _lines(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:_LISTED]))
    more = f" and {len(numbers) - _LISTED} more" if len(numbers) > _LISTED else ""
    return f"line {shown}" if len(numbers) == 1 else f"lines {shown}{more}"


def _no_template(text: str, blocks: list[CodeBlock]) -> LoadError:
    # A short answer that says it is a placeholder is one; a long one may only mention the word.
    if _PLACEHOLDER.search(text) and len(list(islice(prose_lines(text), 6))) <= 5:
        for number, line in enumerate(split_lines(text), start=1):
            if _PLACEHOLDER.search(line):
                return _NoTemplateBlock(
                    f"the file is a placeholder, not a template: {line.strip()[:80]!r}",
                    number,
                    len(line) - len(line.lstrip()) + 1,
                    not_cloudformation=True,
                )
    if not blocks:
        return _NoTemplateBlock(
            "the Markdown has no fenced code blocks (a template is expected in a ```yaml or ```json block)",
            not_cloudformation=True,
        )
    found = [block.describe() for block in blocks[:_LISTED]]
    if len(blocks) > _LISTED:
        found.append(f"{len(blocks) - _LISTED} more")
    return _NoTemplateBlock(
        f"the Markdown has no CloudFormation template in its code blocks (found: {', '.join(found)})",
        blocks[0].fence_line,
        not_cloudformation=True,
    )


_LISTED = 8  # blocks or lines a message names before it only counts the rest
_READ_BLOCKS = 100
# How a template's first line starts: a key without spaces, a flow collection, a directive or document marker.
_YAML_START = re.compile(r"""\s*(?:["']?[\w.:/-]+["']?[ \t]*:(?:\s|$)|[{\[%]|---|\.\.\.)""")


def _starts_like_yaml(text: str) -> bool:
    for line in split_lines(text):
        if line.strip() and not line.lstrip().startswith("#"):
            return _YAML_START.match(line) is not None
    return False


def _starts_with_prose(text: str) -> bool:
    """Is the first line a sentence? Template keys never hold spaces; prose has words before its first colon."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return not line.startswith(tuple("-{[\"'%!&*|>")) and line.split(":", 1)[0].count(" ") >= 2
    return False


def load_file(path: str | Path) -> Template:
    """Read and load one file; every failure is a LoadError with a reason."""
    try:
        if not stat.S_ISREG(Path(path).stat().st_mode):
            raise LoadError("not a regular file (a directory, pipe, socket or device): there is no template to read")
        with Path(path).open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)  # never more: a huge file is refused without reading it all
    except OSError as error:
        raise LoadError(f"cannot read the file: {error.strerror or error}") from None
    return load_text(decode(raw), str(path))
