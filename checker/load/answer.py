"""The template of a Markdown answer: its largest template block, every mark still that of the answer.

checker.load.markdown finds the fenced blocks; this module decides which one is the template,
what the report notes about the others (other templates, broken ones, fragments, an answer cut
off), looks inside a ```markdown block that wraps a whole answer, and says why an answer holds
no template at all.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import islice

from checker.load.document import parse_document
from checker.load.markdown import (
    WRAPPER_LANGUAGES,
    CodeBlock,
    declares_resources,
    fenced_blocks,
    looks_like_template,
    may_hold_template,
    only_block,
    prose_lines,
    split_lines,
    wrapped_blocks,
)
from checker.load.shape import PLACEHOLDER, as_template
from checker.load.template import LoadError, Mark, NoTemplateFound, Template

MAX_BLOCKS = 10_000  # code blocks in a Markdown answer; real answers have a handful
_READ_BLOCKS = 100
_LISTED = 8  # blocks or lines a message names before it only counts the rest


def template_from_answer(text: str, path: str) -> Template:
    """The template of the answer `text`; NoTemplateFound when it holds none, LoadError when its template is broken."""
    blocks = fenced_blocks(text, limit=MAX_BLOCKS + 1)
    if len(blocks) > MAX_BLOCKS:
        raise LoadError(f"the Markdown has more than {MAX_BLOCKS:,} code blocks; refusing to read it", blocks[-1].fence_line)
    return _from_blocks(text, path, blocks)


def _from_blocks(text: str, path: str, blocks: list[CodeBlock], *, unwrap: bool = True) -> Template:
    """The largest template block, on the Markdown's own lines; NoTemplateFound when there is none.

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
        largest_error = broken[0][1]
        smaller = sorted(block.fence_line for block, _ in templates)
        loaded = (
            f"; the smaller template block at {_lines(smaller)} loads but was not checked"
            if len(smaller) == 1
            else f"; the {len(smaller)} smaller template blocks at {_lines(smaller)} load but were not checked"
        )
        raise LoadError(largest_error.message + (loaded if smaller else ""), largest_error.line, largest_error.column)
    if not templates:
        for wrapper in [block for block in blocks if block.language in WRAPPER_LANGUAGES] if unwrap else []:
            try:
                template = _from_blocks(text, path, wrapped_blocks(wrapper), unwrap=False)
            except NoTemplateFound:
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
    chosen: CodeBlock,
    others: list[tuple[CodeBlock, Template]],
    broken: list[tuple[CodeBlock, LoadError]],
    candidates: list[CodeBlock],
    fragments: list[CodeBlock],
) -> tuple[str, ...]:
    """What the report should say about the checked block when it runs to the end, and about the blocks that were
    not checked: other templates, broken ones, and pieces of a template (a "part 2", a resource to add)."""
    notes: list[str] = []
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


def _no_template(text: str, blocks: list[CodeBlock]) -> NoTemplateFound:
    # A short answer that says it is a placeholder is one; a long one may only mention the word.
    if PLACEHOLDER.search(text) and len(list(islice(prose_lines(text), 6))) <= 5:
        for number, line in enumerate(split_lines(text), start=1):
            if PLACEHOLDER.search(line):
                return NoTemplateFound(
                    f"the file is a placeholder, not a template: {line.strip()[:80]!r}",
                    number,
                    len(line) - len(line.lstrip()) + 1,
                    not_cloudformation=True,
                )
    if not blocks:
        return NoTemplateFound(
            "the Markdown has no fenced code blocks (a template is expected in a ```yaml or ```json block)",
            not_cloudformation=True,
        )
    found = [block.describe() for block in blocks[:_LISTED]]
    if len(blocks) > _LISTED:
        found.append(f"{len(blocks) - _LISTED} more")
    return NoTemplateFound(
        f"the Markdown has no CloudFormation template in its code blocks (found: {', '.join(found)})",
        blocks[0].fence_line,
        not_cloudformation=True,
    )
