"""YAML or JSON text to marked data, every mark and message counting the lines of the file it came from.

JSON is tried as JSON first, so its errors name JSON's own position; it is then built by the
YAML builder (JSON being YAML in flow style) after the few spellings libyaml refuses are
rewritten without moving a column.
"""

from __future__ import annotations

import json
import re

from checker.load.template import LoadError
from checker.load.yaml_builder import TOO_DEEP, build

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
                return build(text, offset)
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
    return build(text, offset)
