"""load_file and load_text: a file's bytes to the template in it, whatever kind of input holds it.

A *.md file is read as Markdown. Any other file is first read as a template, so a template whose
code or Description holds ``` stays itself; only when that fails and the text has fenced code
blocks is it read as a Markdown answer.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

from checker.load.answer import template_from_answer
from checker.load.decoding import MAX_BYTES, decode
from checker.load.document import parse_document
from checker.load.markdown import has_fenced_block, is_markdown_path, split_lines
from checker.load.shape import as_template
from checker.load.template import LoadError, NoTemplateFound, Template


def load_text(text: str, path: str) -> Template:
    """The template in `text`: the text itself, or the template block of a Markdown answer."""
    if is_markdown_path(path):
        if not has_fenced_block(text):
            try:
                return _load_bare(text, path)  # a bare template saved as .md is still a template
            except LoadError:
                pass
        return template_from_answer(text, path)
    try:
        return _load_bare(text, path)
    except LoadError as error:
        if not has_fenced_block(text):
            raise
        try:
            return template_from_answer(text, path)
        except NoTemplateFound as markdown_error:
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
