"""The kinds of input a template comes in, tried in order, and which error refuses an input none of them reads.

A reader says whether it applies to an input (its text and path) and reads it. load_text tries
READERS in order and returns the first template read; adding a kind of input is adding a reader
to the tuple. When every reader that applies fails, `verdict` chooses the error.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Protocol

from checker.load.answer import template_from_answer
from checker.load.decoding import MAX_BYTES, decode
from checker.load.document import parse_document
from checker.load.markdown import has_fenced_block, is_markdown_path, split_lines
from checker.load.shape import as_template
from checker.load.template import LoadError, NoTemplateFound, Template


class Reader(Protocol):
    """One kind of input a template can come in."""

    def applies(self, text: str, path: str) -> bool:
        """Is the input one this reader reads?"""

    def plainly_its_kind(self, text: str, path: str) -> bool:
        """Is the input plainly of this reader's kind, so that its error outranks a later reader finding nothing?"""

    def read(self, text: str, path: str) -> Template:
        """The template in the input; LoadError, or NoTemplateFound when the input holds nothing of this kind."""


class BareTemplate:
    """The whole file is the template, YAML or JSON. It reads any file but a Markdown one with code blocks:
    a bare template saved as .md is still a template."""

    def applies(self, text: str, path: str) -> bool:
        return not is_markdown_path(path) or not has_fenced_block(text)

    def plainly_its_kind(self, text: str, path: str) -> bool:
        return not is_markdown_path(path) and _starts_like_yaml(text)

    def read(self, text: str, path: str) -> Template:
        try:
            data = parse_document(text, json_only=path.lower().endswith(".json"))
        except LoadError as error:
            if not (error.message.startswith("YAML syntax error") and _starts_with_prose(text)):
                raise
            data = text  # prose with a colon in it: say it is prose, not where YAML gave up
        return as_template(data, path, text)


class MarkdownAnswer:
    """The template is a fenced code block of an answer: a Markdown file, or any other file with code blocks.
    Tried after the bare template, so a template whose code or Description holds ``` stays itself."""

    def applies(self, text: str, path: str) -> bool:
        return is_markdown_path(path) or has_fenced_block(text)

    def plainly_its_kind(self, text: str, path: str) -> bool:
        return is_markdown_path(path)

    def read(self, text: str, path: str) -> Template:
        return template_from_answer(text, path)


# In the order they are tried. Every input has one that applies: the bare template reads all but Markdown with code blocks.
READERS: tuple[Reader, ...] = (BareTemplate(), MarkdownAnswer())


def verdict(failures: list[tuple[Reader, LoadError]], text: str, path: str) -> LoadError:
    """The error that refuses an input which every reader that applies failed to read (`failures`, in order).

    The last reader tried has the last word, unless all it found was nothing of its kind (NoTemplateFound):
    then the first earlier reader whose input plainly was of its kind speaks instead. So a file that starts
    like YAML, does not load, and holds ``` in its strings is refused as a broken template, not as an answer
    without a template block."""
    last_error = failures[-1][1]
    if isinstance(last_error, NoTemplateFound):
        for reader, error in failures[:-1]:
            if reader.plainly_its_kind(text, path):
                return error
    return last_error


def load_text(text: str, path: str) -> Template:
    """The template in `text` (the contents of `path`), read by the first reader that applies and succeeds."""
    failures: list[tuple[Reader, LoadError]] = []
    for reader in READERS:
        if reader.applies(text, path):
            try:
                return reader.read(text, path)
            except LoadError as error:
                failures.append((reader, error))
    raise verdict(failures, text, path)


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
