"""The architecture as recognised, laid out for the HTML report's SVG diagram: where each reference component's box
sits, what it says, and which arrows join them. Geometry only; the template draws it, so every value a template
wrote reaches the page through the template engine's escaping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.reports.analysis import ComponentView

BOX_WIDTH, BOX_HEIGHT = 200, 84
WIDTH, HEIGHT = 990, 534
_COLUMNS = (20, 270, 520, 770)
_ROWS = (20, 150, 290, 430)
_LABEL_CHARACTERS = 26  # what fits on one line of a box at the diagram's font size
_ID_CHARACTERS = 24

# (column, row) of each component: the data path across the middle row, the execution role above the processor,
# the DLQ under the order queue, alarms under what they watch, the log group and its query on the right.
_PLACES = {
    "role": (2, 0),
    "dashboard": (3, 0),
    "order_queue": (0, 1),
    "event_source_mapping": (1, 1),
    "processor": (2, 1),
    "status_table": (3, 1),
    "dlq": (0, 2),
    "errors_alarm": (1, 2),
    "duration_alarm": (2, 2),
    "log_group": (3, 2),
    "dlq_alarm": (0, 3),
    "alarm_topic": (1, 3),
    "query": (3, 3),
}

# (from, to, label): what flows where. An alarm's arrow starts at the thing it watches.
_EDGES = (
    ("order_queue", "event_source_mapping", "polls"),
    ("event_source_mapping", "processor", "invokes"),
    ("processor", "status_table", "writes"),
    ("order_queue", "dlq", "redrive"),
    ("role", "processor", "assumed by"),
    ("processor", "log_group", "logs"),
    ("log_group", "query", "queried by"),
    ("processor", "errors_alarm", "errors"),
    ("processor", "duration_alarm", "duration"),
    ("dlq", "dlq_alarm", "depth"),
    ("errors_alarm", "alarm_topic", ""),
    ("duration_alarm", "alarm_topic", ""),
    ("dlq_alarm", "alarm_topic", "notify"),
)

# What a box says about its state in words, so the diagram does not rely on colour (print, colour-blind readers).
STATE_WORDS = {"present": "OK: present", "missing": "MISSING", "failing": "FAILING"}


@dataclass(frozen=True)
class Box:
    view: ComponentView
    x: int
    y: int
    label_lines: tuple[str, ...]
    resource_line: str  # the candidate's logical id, shortened to fit, or "missing"
    state_line: str

    @property
    def linked(self) -> bool:
        """A box links to its findings when a rule about it failed (a missing part can have failing rules too)."""
        return bool(self.view.rule_ids)


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str
    label_x: int
    label_y: int
    label_anchor: str  # SVG text-anchor: beside a vertical arrow, centred over a horizontal one, above a slanting one
    complete: bool  # both ends exist in the candidate; drawn dashed when not


@dataclass(frozen=True)
class Diagram:
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    width: int = WIDTH
    height: int = HEIGHT
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT


def layout(components: Sequence[ComponentView]) -> Diagram | None:
    """The diagram of one file's components, or None when there is nothing to draw (the file was not evaluated)."""
    views = {view.component: view for view in components if view.component in _PLACES}
    if not views:
        return None
    boxes = tuple(_box(views[name]) for name in _PLACES if name in views)
    edges = tuple(
        _edge(views[source], views[target], label) for source, target, label in _EDGES if source in views and target in views
    )
    return Diagram(boxes, edges)


def _box(view: ComponentView) -> Box:
    column, row = _PLACES[view.component]
    resource = _shorten(view.candidate_resource, _ID_CHARACTERS) if view.candidate_resource else "missing"
    state = STATE_WORDS[view.state]
    if view.rule_ids:
        state += f" ({len(view.rule_ids)} rule{'s' if len(view.rule_ids) != 1 else ''})"
    return Box(view, _COLUMNS[column], _ROWS[row], _wrap(view.label, _LABEL_CHARACTERS), resource, state)


def _edge(source: ComponentView, target: ComponentView, label: str) -> Edge:
    """An arrow from the border of one box to the border of the other, along the line between their centres."""
    (sx, sy), (tx, ty) = _centre(source.component), _centre(target.component)
    x1, y1 = _border(sx, sy, tx, ty)
    x2, y2 = _border(tx, ty, sx, sy)
    complete = source.candidate_resource is not None and target.candidate_resource is not None
    middle_x, middle_y = (x1 + x2) // 2, (y1 + y2) // 2
    if x1 == x2:  # beside a vertical arrow
        return Edge(x1, y1, x2, y2, label, x1 + 6, middle_y + 4, "start", complete)
    if y1 == y2:  # over a horizontal one
        return Edge(x1, y1, x2, y2, label, middle_x, middle_y - 5, "middle", complete)
    # on the upper side of a slanting arrow, clear of the line
    rightwards = (x2 - x1) * (y2 - y1) > 0
    return Edge(
        x1, y1, x2, y2, label, middle_x + (8 if rightwards else -8), middle_y - 2, "start" if rightwards else "end", complete
    )


def _centre(component: str) -> tuple[int, int]:
    column, row = _PLACES[component]
    return _COLUMNS[column] + BOX_WIDTH // 2, _ROWS[row] + BOX_HEIGHT // 2


def _border(x: int, y: int, towards_x: int, towards_y: int) -> tuple[int, int]:
    """Where the line from a box's centre towards a point leaves the box."""
    dx, dy = towards_x - x, towards_y - y
    scales = [abs(BOX_WIDTH / 2 / dx) if dx else float("inf"), abs(BOX_HEIGHT / 2 / dy) if dy else float("inf")]
    scale = min(scales)
    return round(x + dx * scale), round(y + dy * scale)


def _wrap(text: str, width: int) -> tuple[str, ...]:
    """At most two lines, broken between words; what does not fit ends with an ellipsis (the table has it whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return tuple(_shorten(line, width) for line in lines)


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
