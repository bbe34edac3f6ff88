"""The HTML report, read the way a reviewer's browser reads it.

A real headless Chromium (Debian's `chromium`, which .ci/run installs) loads the page and dumps the DOM it built;
the tests parse that DOM with the standard library and check that the diagram and every finding are there, that
every link lands, and that a template built to inject markup produced none. One run of four candidates (a failing
template, a failing SAM answer, a broken file, a hostile template, three of whose findings are suppressed for a
hostile reason, beside a hostile stale baseline entry) is rendered once and loaded twice (the DOM and a
screenshot, kept under tests/artifacts/ for a person to look at, never committed). Without Chromium the tests fail:
a report that was never rendered was never tested.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker.evaluation.options import CheckOptions
from checker.findings import RunReport
from checker.reports import FORMATS
from checker.reports.analysis import RunAnalysis, analyse_run
from checker.run.runner import check_paths
from checker.vocabulary import COMPONENTS
from tests.conftest import CHECK_DATE, FIXTURES, REFERENCE, ROOT
from tests.suppressions import HOSTILE_MARKS, HOSTILE_REASON, HOSTILE_STALE, suppress, suppress_file
from tests.test_golden_reports import render_options

ARTIFACTS = ROOT / "tests" / "artifacts"
HOSTILE_TEMPLATE = FIXTURES / "reports" / "hostile" / "template.yaml"
# A file name can hold anything but a slash and NUL: the report shows it in its title, headings and locations.
HOSTILE_NAME = 'x"><img src=x onerror=alert(1)><script>alert(1)<!--.yaml'
# What the hostile template puts where the report quotes it (logical ids, values in messages, the file name).
INJECTED = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "Role</style>", HOSTILE_NAME)

# Every element and attribute the report writes; anything else in the DOM came from a template.
TAGS = {
    *("html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section", "article", "figure"),
    *("figcaption", "h1", "h2", "h3", "h4", "p", "div", "span", "a", "code", "pre", "ul", "ol", "li", "dl", "dt", "dd"),
    *("table", "thead", "tbody", "tr", "th", "td"),
    *("svg", "defs", "marker", "path", "g", "line", "text", "tspan", "rect", "circle"),
}
ATTRIBUTES = {
    *("lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "data-state", "data-component", "data-rule"),
    *("xmlns", "viewbox", "role", "aria-labelledby", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "dy", "d"),
    *("width", "height", "text-anchor", "marker-end", "refx", "refy", "markerwidth", "markerheight", "orient"),
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        return " ".join(" ".join(child if isinstance(child, str) else child.text() for child in self.children).split())

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class _TreeBuilder(HTMLParser):
    """The element tree of a page, as html.parser reads it (void and self-closed elements have no children)."""

    VOID = frozenset({"meta", "link", "br", "img", "input", "hr", "wbr", "source", "area", "base", "col", "embed", "track"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        if tag not in self.VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs) -> None:
        self.current.children.append(Element(tag, {name: value or "" for name, value in attrs}, self.current))

    def handle_endtag(self, tag) -> None:
        node: Element | None = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data) -> None:
        self.current.children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


@dataclass(frozen=True)
class Page:
    report: RunReport
    analysis: RunAnalysis
    html: str
    dom: Element
    screenshot: Path

    def by_id(self) -> dict[str, Element]:
        return {element.attrs["id"]: element for element in self.dom.walk() if "id" in element.attrs}


def _chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail(
            "headless Chromium is required to test the HTML report: install Debian's `chromium` package "
            "(.ci/run does: apt-get install -y chromium)",
            pytrace=False,
        )
    return found


def _browse(page: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}", *arguments]
    done = subprocess.run([*command, page.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def _run(tmp: Path) -> RunReport:
    hostile = tmp / HOSTILE_NAME
    hostile.write_bytes(HOSTILE_TEMPLATE.read_bytes())
    candidates = [str(FIXTURES / "reports" / name) for name in ("model-response.yaml", "sam-answer.md", "broken.yaml")]
    report = check_paths([*candidates, str(hostile)], CheckOptions(cfn_lint=False, today=CHECK_DATE))
    # The hostile template's findings suppressed for a hostile reason (its Metadata or the baseline would give it).
    *others, last = report.files
    report = dataclasses.replace(report, files=(*others, suppress_file(last, HOSTILE_MARKS)))
    return suppress(report, {}, stale=(HOSTILE_STALE,))


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Page:
    """The four candidates' page, loaded in Chromium: the DOM it built and a screenshot."""
    tmp = tmp_path_factory.mktemp("html")
    report = _run(tmp)
    options = render_options()
    html = FORMATS["html"].render(report, options)
    ARTIFACTS.mkdir(exist_ok=True)
    written = ARTIFACTS / "report.html"
    written.write_text(html, encoding="utf-8")
    dom = _browse(written, tmp / "profile-dom", "--dump-dom").stdout
    screenshot = ARTIFACTS / "report.png"
    screenshot.unlink(missing_ok=True)
    _browse(written, tmp / "profile-shot", "--hide-scrollbars", "--window-size=1280,2000", f"--screenshot={screenshot}")
    print(f"HTML report test artefacts: {written} and {screenshot}", file=sys.stderr)
    return Page(report, analyse_run(report, options.rules, options.snippets), html, parse(dom), screenshot)


# In the browser


def test_the_browser_rendered_the_page_and_took_its_picture(page: Page) -> None:
    assert [element.text() for element in page.dom.walk() if element.tag == "h1"] == ["Model Failures Analysis"]
    assert page.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.screenshot.stat().st_size > 20_000  # a blank page compresses to a few kilobytes
    policies = [
        element.attrs["content"] for element in page.dom.walk() if element.attrs.get("http-equiv") == "Content-Security-Policy"
    ]
    assert policies == [CSP]


def test_each_file_has_a_diagram_with_every_component_in_its_state(page: Page) -> None:
    elements = page.by_id()
    for index, analysis in enumerate(page.analysis.files, start=1):
        svg = elements.get(f"f{index}-diagram")
        if not analysis.components:  # the broken file: nothing was recognised, nothing is drawn
            assert svg is None
            continue
        assert svg is not None and svg.tag == "svg"
        groups = [element for element in svg.walk() if element.tag == "g" and "component" in element.classes()]
        drawn = {group.attrs["data-component"]: group.attrs["data-state"] for group in groups}
        assert len(groups) == len(COMPONENTS) and list(drawn) == [name for name in drawn if name in COMPONENTS]
        assert drawn == {view.component: view.state for view in analysis.components}
        for group in groups:  # the state is written in the box, not only coloured
            state = group.attrs["data-state"]
            assert f"state-{state}" in group.classes()
            assert {"present": "OK: present", "missing": "MISSING", "failing": "FAILING"}[state] in group.text()
    states = [view.state for view in page.analysis.files[0].components]
    assert {"failing", "missing"} <= set(states)


def test_every_failing_part_links_to_its_findings(page: Page) -> None:
    elements = page.by_id()
    failing = 0
    for index, analysis in enumerate(page.analysis.files, start=1):
        for view in analysis.components:
            group = elements[f"f{index}-diagram-{view.component}"]
            links = [element.attrs["href"] for element in group.walk() if element.tag == "a"]
            if view.state == "failing":
                failing += 1
                assert len(links) == 1
            if not links:
                continue
            target = elements[links[0].removeprefix("#")]
            assert target.tag == "tr" and target.attrs["data-state"] == view.state
            rule_links = [element for element in target.walk() if element.tag == "a"]
            assert [link.text() for link in rule_links] == list(view.rule_ids)
            for link in rule_links:  # each rule id leads to a finding of that rule
                assert elements[link.attrs["href"].removeprefix("#")].attrs["data-rule"] == link.text()
    assert failing >= 10


def test_every_finding_is_on_the_page_with_its_rule_and_message(page: Page) -> None:
    elements = page.by_id()
    for index, file in enumerate(page.report.files, start=1):
        assert file.findings
        for finding, fingerprint in zip(file.findings, file.fingerprints(), strict=True):
            item = elements[f"f{index}-finding-{fingerprint}"]
            assert item.attrs["data-rule"] == finding.rule_id
            text = item.text()
            assert finding.rule_id in text
            assert " ".join(finding.message.split()) in text
            assert f"{finding.file}:{finding.line}:{finding.column}" in text


def test_every_link_on_the_page_lands_inside_it(page: Page) -> None:
    ids = page.by_id()
    hrefs = [element.attrs["href"] for element in page.dom.walk() if "href" in element.attrs]
    assert len(hrefs) > 100
    assert [href for href in hrefs if not href.startswith("#") or href[1:] not in ids] == []
    assert len([element for element in page.dom.walk() if "id" in element.attrs]) == len(ids)  # no id twice


def test_a_hostile_template_injects_nothing_into_the_page(page: Page) -> None:
    _assert_only_what_the_report_writes(page.dom)
    index = next(index for index, file in enumerate(page.report.files, start=1) if file.path.endswith(HOSTILE_NAME))
    hostile = page.by_id()[f"f{index}"]
    text = hostile.text()
    for injected in INJECTED:
        assert injected in text
    assert text.count("<script>alert(1)</script>") >= 5


def test_suppressed_findings_and_stale_entries_are_on_the_page_as_text(page: Page) -> None:
    elements = page.by_id()
    index = next(index for index, file in enumerate(page.report.files, start=1) if file.path.endswith(HOSTILE_NAME))
    file = page.report.files[index - 1]
    assert elements[f"f{index}-suppressed"].tag == "h2"
    marked = [
        (finding, print_) for finding, print_ in zip(file.findings, file.fingerprints(), strict=True) if finding.suppression
    ]
    assert [finding.rule_id for finding, _ in marked] == ["COST002", "MON004", "SEC001"]
    reason = " ".join(HOSTILE_REASON.split())
    for finding, print_ in marked:
        row = elements[f"f{index}-finding-{print_}"]
        assert row.tag == "tr" and row.attrs["data-rule"] == finding.rule_id
        assert reason in row.text() and " ".join(finding.message.split()) in row.text()
    issues = [element.attrs["id"] for element in elements[f"f{index}"].walk() if "issue" in element.classes()]
    assert {f"f{index}-finding-{print_}" for _, print_ in marked}.isdisjoint(issues)
    stale = elements["baseline"].text()
    for text in (HOSTILE_STALE.path, HOSTILE_STALE.resource or "", HOSTILE_STALE.property_path, reason, "--prune"):
        assert text in stale
    _assert_only_what_the_report_writes(page.dom)


# Without a browser


def _assert_only_what_the_report_writes(dom: Element) -> None:
    elements = list(dom.walk())[1:]
    assert {element.tag for element in elements} <= TAGS
    assert {name for element in elements for name in element.attrs} <= ATTRIBUTES
    assert [element for element in elements if element.tag in ("script", "img", "iframe", "object", "embed")] == []
    assert [name for element in elements for name in element.attrs if name.startswith("on")] == []
    styles = [element.text() for element in elements if element.tag == "style"]
    assert len(styles) == 1 and "alert" not in styles[0]
    urls = [value for element in elements for value in element.attrs.values() if re.search(r"url\(|javascript:|//", value)]
    assert all(re.fullmatch(r"url\(#f\d+-arrow\)", value) or value == "http://www.w3.org/2000/svg" for value in urls)


def test_the_page_escapes_every_value_from_a_template(tmp_path: Path) -> None:
    hostile = tmp_path / HOSTILE_NAME
    hostile.write_bytes(HOSTILE_TEMPLATE.read_bytes())
    html = FORMATS["html"].render(check_paths([str(hostile)], CheckOptions(cfn_lint=False, today=CHECK_DATE)), render_options())
    assert re.search(r"<\s*(script|img)", html, re.IGNORECASE) is None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Role&lt;/style&gt;" in html
    dom = parse(html)
    _assert_only_what_the_report_writes(dom)
    text = dom.text()
    for injected in INJECTED:
        assert injected in text


def test_the_page_escapes_suppression_reasons_and_stale_entries(tmp_path: Path) -> None:
    hostile = tmp_path / "template.yaml"
    hostile.write_bytes(HOSTILE_TEMPLATE.read_bytes())
    report = check_paths([str(hostile)], CheckOptions(cfn_lint=False, today=CHECK_DATE))
    html = FORMATS["html"].render(suppress(report, HOSTILE_MARKS, stale=(HOSTILE_STALE,)), render_options())
    assert re.search(r"<\s*(script|img)", html, re.IGNORECASE) is None
    assert (
        html.count('<td class="reason">why | `tick` &lt;script&gt;alert(1)&lt;/script&gt; &lt;/style&gt; &#34;&gt;&lt;img') == 3
    )
    dom = parse(html)
    _assert_only_what_the_report_writes(dom)
    assert " ".join(HOSTILE_REASON.split()) in dom.text()


def test_the_page_needs_nothing_from_the_network() -> None:
    report = check_paths([str(FIXTURES / "reports" / "model-response.yaml")], CheckOptions(cfn_lint=False, today=CHECK_DATE))
    html = FORMATS["html"].render(report, render_options())
    assert re.findall(r"(?:src|href)\s*=\s*\"(?!#)[^\"]*\"", html) == []
    assert re.findall(r"https?://[^\s\"<]+", html) == ["http://www.w3.org/2000/svg"]  # a namespace name, never fetched
    assert "@import" not in html and "@font-face" not in html and "@media print" in html


def test_starting_the_cli_does_not_import_jinja2() -> None:
    code = "import sys, checker.cli; print('jinja2' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_the_reference_is_drawn_whole_with_nothing_to_fix() -> None:
    report = check_paths([str(REFERENCE)], CheckOptions(cfn_lint=False, today=CHECK_DATE))
    dom = parse(FORMATS["html"].render(report, render_options()))
    groups = [element for element in dom.walk() if element.tag == "g" and "component" in element.classes()]
    assert sorted(group.attrs["data-component"] for group in groups) == sorted(COMPONENTS)
    assert {group.attrs["data-state"] for group in groups} == {"present"}
    assert [element for group in groups for element in group.walk() if element.tag == "a"] == []
    assert "Nothing to fix." in dom.text() and "implements the reference architecture" in dom.text()
