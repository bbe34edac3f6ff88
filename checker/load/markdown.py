"""Fenced code blocks of a Markdown answer, found the CommonMark way, as plain text.

Model answers wrap the template in prose and ``` fences. These functions find the
blocks (fences of ``` or ~~~, three or more, indented up to three spaces from the
list item they sit in), say which may hold a template, and rebuild a text in which
only one block is left, on its own lines, so that every line and column reported is
that of the Markdown file. Nothing here parses YAML or JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

MARKDOWN_SUFFIXES = (".md", ".markdown")
# Info strings a template block is written with; no info string at all counts too.
TEMPLATE_LANGUAGES = frozenset({"", "yaml", "yml", "json", "cloudformation", "cfn", "template"})
WRAPPER_LANGUAGES = frozenset({"markdown", "md"})  # a block in these may hold a whole answer, fences and all

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # CommonMark's line endings
_OPENING = re.compile(r"(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_CLOSING = re.compile(r"(?P<fence>`{3,}|~{3,})[ \t]*$")
_LIST_MARKER = re.compile(r"(?:[-+*]|[0-9]{1,9}[.)])(?: +|$)")
_STARTS = frozenset("`~-+*0123456789")  # what a fence or a list item starts with
_COMMENT_OPEN, _COMMENT_CLOSE = "<!--", "-->"
_LANGUAGE = re.compile(r"[\w+#.-]*")
# A key only templates have, at the start of a line or after a brace or comma (block, flow or JSON).
_TEMPLATE_KEY = re.compile(r"""(?:^|[\s{,])["']?(?:Resources|AWSTemplateFormatVersion)["']?[ \t]*:""")
# A resource declaration, `Type: AWS::...` (block, flow or JSON): a block with one but no template key is a fragment.
_RESOURCE_TYPE = re.compile(r"""(?:^[ \t]*|[{,][ \t]*)["']?Type["']?[ \t]*:[ \t]*["']?AWS::""", re.MULTILINE)


class CodeBlock(NamedTuple):
    """One fenced code block: where it is and what it holds, lines as written (indentation kept)."""

    language: str  # the info string's first word, lower-cased; "" when there is none
    fence_line: int  # line of the opening fence, from 1
    lines: tuple[str, ...]
    closed: bool = True

    @property
    def first_line(self) -> int:
        """The line of the block's first content line."""
        return self.fence_line + 1

    @property
    def text(self) -> str:
        """The content as a document; an unclosed block ends where the answer ends, with or without a line break."""
        return "\n".join(self.lines) + ("\n" if self.closed and self.lines else "")

    def describe(self) -> str:
        """How a message names the block: 'bash at line 3', 'a block without a language at line 9'."""
        name = self.language or "a block without a language"
        return f"{name} at line {self.fence_line}"


def is_markdown_path(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def split_lines(text: str) -> Iterator[str]:
    """The lines of `text`, one at a time: a 5 MB answer is never held twice."""
    start = 0
    for match in _LINE_BREAK.finditer(text):
        yield text[start : match.start()]
        start = match.end()
    yield text[start:]


def count_lines(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


def _width(prefix: str) -> int:
    """Columns of leading whitespace, a tab reaching the next multiple of four."""
    if "\t" not in prefix:
        return len(prefix)
    width = 0
    for char in prefix:
        width += 4 - width % 4 if char == "\t" else 1
    return width


def _language(info: str) -> str:
    """The first word of an info string: '```yaml title=x' and '``` {.yaml}' are yaml."""
    found = _LANGUAGE.match(info.strip().lstrip("{.").lower())
    return found.group(0) if found else ""  # the pattern matches every text, if only with nothing


def _opening(rest: str) -> tuple[str, str] | None:
    """The fence and language of an opening fence line (its indentation already removed)."""
    match = _OPENING.match(rest)
    if match is None or (match["fence"][0] == "`" and "`" in match["info"]):
        return None  # a backtick fence's info string never holds a backtick: that is inline code
    return match["fence"], _language(match["info"])


def fenced_blocks(text: str, limit: int | None = None) -> list[CodeBlock]:
    """Every fenced code block, in order (the first `limit` of them). A block left open runs to the end.

    List items are followed only as far as fences need: a fence counts when it is indented at most
    three columns past the content of the list item it sits in (so four spaces of plain indentation
    are an indented code block, not a fence). Fences inside an HTML comment are hidden, as a renderer hides
    them: an answer that comments out a draft shows only what it keeps."""
    blocks: list[CodeBlock] = []
    comment = False  # inside an HTML comment, which ends on the line that holds -->
    items: list[int] = []  # content columns of the open list items, innermost last
    opened: tuple[str, str, int, int] | None = None  # fence, language, line, base column
    content: list[str] = []
    for number, line in enumerate(split_lines(text), start=1):
        rest = line.lstrip(" \t")
        if opened is not None:
            fence, language, fence_line, base = opened
            if rest.startswith(fence) and _CLOSING.match(rest) and _width(line[: len(line) - len(rest)]) - base <= 3:
                blocks.append(CodeBlock(language, fence_line, tuple(content)))
                opened, content = None, []
                if len(blocks) == limit:
                    return blocks
            else:
                content.append(line)
            continue
        if comment:
            comment = _COMMENT_CLOSE not in line
            continue
        if not rest:
            continue  # blank lines keep list items open
        width = _width(line[: len(line) - len(rest)]) if len(rest) < len(line) else 0
        while items and width < items[-1]:
            items.pop()
        base = items[-1] if items else 0
        if rest.startswith(_COMMENT_OPEN) and width - base <= 3:
            comment = _COMMENT_CLOSE not in rest[2:]  # `<!-->` and `<!-- x -->` end where they start
            continue
        if rest[0] not in _STARTS:
            continue  # most lines: prose
        if width - base > 3:
            continue  # an indented code block or a continuation: no fence starts here
        marker = _LIST_MARKER.match(rest)
        if marker:
            spaces = len(marker.group(0)) - len(marker.group(0).rstrip(" "))
            base = width + len(marker.group(0)) - spaces + (spaces if 1 <= spaces <= 4 else 1)
            items.append(base)
            rest = rest[len(marker.group(0)) :]
        found = _opening(rest)
        if found is not None:
            opened, content = (found[0], found[1], number, base), []
    if opened is not None:
        blocks.append(CodeBlock(opened[1], opened[2], tuple(content), closed=False))
    return blocks


def has_fenced_block(text: str) -> bool:
    """Does `text` hold a fenced code block? Scanning stops at the first one."""
    return ("```" in text or "~~~" in text) and bool(fenced_blocks(text, limit=1))


def wrapped_blocks(block: CodeBlock) -> list[CodeBlock]:
    """The blocks inside a ```markdown block (a model that wraps its whole answer in one), at the outer text's lines.

    The wrapper's own closing fence is the one the writer meant for the last inner block, which therefore
    reads as left open: it is closed when the wrapper is."""
    inner = [found._replace(fence_line=found.fence_line + block.fence_line) for found in fenced_blocks("\n".join(block.lines))]
    if inner and block.closed and not inner[-1].closed:
        inner[-1] = inner[-1]._replace(closed=True)
    return inner


def may_hold_template(block: CodeBlock) -> bool:
    """Is the block written in a language a template is written in (yaml, json, none...)?"""
    return block.language in TEMPLATE_LANGUAGES


def looks_like_template(block: CodeBlock) -> bool:
    """Does the block name a key only templates have? Then its load error is the answer's error."""
    return _TEMPLATE_KEY.search(block.text) is not None


def declares_resources(block: CodeBlock) -> bool:
    """Does the block declare a resource (`Type: AWS::...`)? Without a template key, it is a piece of one."""
    return _RESOURCE_TYPE.search(block.text) is not None


def only_block(text: str, block: CodeBlock) -> str:
    """`text` with every line outside `block` left blank: as many lines, the block's lines unchanged.

    The loader keeps it as the template's text: cfn-lint, which parses the text itself, then reports
    the answer's own lines and columns."""
    total = count_lines(text)
    before = block.first_line - 1
    after = max(0, total - before - len(block.lines))
    return "\n" * before + "\n".join(block.lines) + "\n" * after


def prose_lines(text: str) -> Iterator[str]:
    """The non-blank lines of the answer that are not fences: what a reader of the answer sees as its content."""
    for line in split_lines(text):
        stripped = line.strip()
        if stripped and _opening(stripped) is None and not _CLOSING.match(stripped):
            yield line
