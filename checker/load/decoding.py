"""Bytes to text, refusing early what is plainly not a text template: too large, UTF-16, binary, not UTF-8."""

from __future__ import annotations

from checker.load.template import LoadError, Mark

MAX_BYTES = 5 * 1024 * 1024


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
