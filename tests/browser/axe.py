"""`scan(page, name)`: the check every page of every browser journey goes through.

It takes a screenshot into tests/screenshots/, runs axe-core against WCAG 2.2 AA and fails
on any violation (rule id, impact and the nodes it found), checks the page title (unique
per page, "Error: " exactly when an error summary shows) and that nothing is wider than the
window (reflow at 320 px), and fails on browser console errors or a stylesheet, script or
image that did not load. Every scan is recorded; the
session writes tests/screenshots/axe-summary.json and prints a summary at the end.

axe is injected without bypassing the app's strict Content Security Policy: as a script
from the app's own static folder (allowed by script-src 'self'), or by page.evaluate
(DevTools evaluation, which a CSP does not block). So the browser keeps enforcing the CSP,
and a CSP violation shows up as a console error that fails the scan. On a page with
JavaScript turned off the page's timers never fire, so setTimeout is replaced with a
microtask before axe runs; the page itself ran no script, so axe sees exactly the DOM a
no-JavaScript user gets.
"""
from __future__ import annotations

import base64
import json
import re
import shutil
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
SUMMARY = SCREENSHOTS / "axe-summary.json"
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_STATIC = ROOT / "learning" / "static" / "dist" / "axe.min.js"
AXE_URL = "/static/dist/axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

_TIMER_SHIM = """() => {
  window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
}"""

_RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return {
    passes: r.passes.map(x => x.id),
    incomplete: r.incomplete.map(x => x.id),
    inapplicable: r.inapplicable.length,
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                summary: (n.failureSummary || '').replace(/\\s+/g, ' ')})),
    })),
  };
}"""


_FORM_CHECKS = """() => {
  const problems = [];
  for (const group of document.querySelectorAll('.govuk-radios, .govuk-checkboxes')) {
    const legend = group.closest('fieldset')?.querySelector('legend');
    if (!legend || !legend.textContent.trim()) problems.push('a radio or checkbox group has no legend: ' + group.outerHTML.slice(0, 150));
  }
  const inline = [...document.querySelectorAll('.govuk-error-message')].map(e => e.textContent.replace(/^\\s*Error:\\s*/, '').trim());
  for (const link of document.querySelectorAll('.govuk-error-summary a')) {
    const id = decodeURIComponent(link.getAttribute('href') || '').replace(/^#/, '');
    if (!id || !document.getElementById(id)) problems.push('error summary link to a missing field: ' + link.getAttribute('href'));
    if (!inline.includes(link.textContent.trim())) problems.push('no inline error message for: ' + link.textContent.trim());
  }
  return problems;
}"""


@dataclass(frozen=True)
class Variant:
    """How the page is being used: the viewport, JavaScript on or off, mouse or keyboard."""
    width: int
    height: int
    javascript: bool = True
    keyboard: bool = False

    @property
    def label(self) -> str:
        size = "desktop" if self.width >= 1000 else f"{self.width}px"
        return size + ("" if self.javascript else "-nojs") + ("-keyboard" if self.keyboard else "")


@dataclass
class Scan:
    variant: str
    journey: str
    name: str
    state: str
    url: str
    title: str
    passes: int
    incomplete: list[str]
    violations: list[dict]
    screenshot: str
    allowed: list[str] = field(default_factory=list)  # rules a test allowed here, with its reason

    @property
    def page_kind(self) -> str:
        """question-3 and question-5 are the same kind of page."""
        return re.sub(r"-\d+$", "", self.name)


@dataclass
class Recorder:
    """Everything scanned in this session."""
    scans: list[Scan] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # title -> page name
    counters: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def summary(self) -> dict:
        pages: dict[str, dict] = {}
        for s in self.scans:
            key = s.page_kind + (f" [{s.state}]" if s.state else "")
            entry = pages.setdefault(key, {"scans": 0, "variants": set(), "passes_min": s.passes,
                                           "passes_max": s.passes, "violations": 0, "title_example": s.title})
            entry["scans"] += 1
            entry["variants"].add(s.variant)
            entry["passes_min"] = min(entry["passes_min"], s.passes)
            entry["passes_max"] = max(entry["passes_max"], s.passes)
            entry["violations"] += len(s.violations)
        for entry in pages.values():
            entry["variants"] = sorted(entry["variants"])
        return {
            "axe_tags": WCAG_TAGS,
            "total_scans": len(self.scans),
            "total_violations": sum(len(s.violations) for s in self.scans),
            "allowed": sorted({f"{s.name}: {a}" for s in self.scans for a in s.allowed}),
            "pages": dict(sorted(pages.items())),
            "scans": [asdict(s) for s in self.scans],
        }

    def write(self) -> None:
        if self.scans:
            SUMMARY.parent.mkdir(parents=True, exist_ok=True)
            SUMMARY.write_text(json.dumps(self.summary(), indent=2), encoding="utf-8")

    def report_lines(self) -> list[str]:
        if not self.scans:
            return []
        data = self.summary()
        lines = [f"axe-core {', '.join(WCAG_TAGS)}: {data['total_scans']} scans, "
                 f"{data['total_violations']} violations; rules passed per page (min-max over variants):"]
        for key, entry in data["pages"].items():
            passes = (str(entry["passes_min"]) if entry["passes_min"] == entry["passes_max"]
                      else f"{entry['passes_min']}-{entry['passes_max']}")
            lines.append(f"  {key:<40} {passes:>6} passed  {entry['scans']:>3} scans  {', '.join(entry['variants'])}")
        lines.extend(f"Allowed by a test, with its reason: {a}" for a in data["allowed"])
        lines.append(f"Screenshots and the full report: {SUMMARY.relative_to(ROOT)}")
        return lines


RECORDER = Recorder()
_screenshots_cleared = False
_axe_source: str | None = None


def _clear_screenshots_once() -> None:
    """Each run starts with an empty tests/screenshots/, so nothing stale is left to look at."""
    global _screenshots_cleared
    if not _screenshots_cleared:
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        _screenshots_cleared = True


def axe_source() -> str:
    global _axe_source
    if _axe_source is None:
        source = AXE_SOURCE if AXE_SOURCE.exists() else AXE_STATIC
        if not source.exists():
            pytest.fail("axe-core is not installed: run `npm ci` (make setup does)")
        _axe_source = source.read_text(encoding="utf-8")
    return _axe_source


@dataclass
class PageWatch:
    """What a page has logged: console errors and resources that failed to load."""
    variant: Variant
    journey: str
    problems: list[str] = field(default_factory=list)


_WATCHES: dict[int, PageWatch] = {}


def watch(page, variant: Variant, journey: str) -> None:
    """Register a page: scan() names screenshots by its variant and journey and fails on
    what the page logged."""
    record = PageWatch(variant, journey)
    _WATCHES[id(page)] = record

    def on_console(message):
        if message.type == "error" and "Failed to load resource" not in message.text:
            record.problems.append(f"console error: {message.text}")

    def on_response(response):
        if response.request.resource_type in {"stylesheet", "script", "image", "font"} and response.status >= 400:
            record.problems.append(f"{response.request.resource_type} {response.url} answered {response.status}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: record.problems.append(f"script error: {error}"))
    page.on("response", on_response)
    def on_request_failed(request):
        # A page navigation that turns into a download (a form whose answer is a workbook) is
        # aborted by the browser by design: that is not a failure.
        if request.is_navigation_request() and request.failure == "net::ERR_ABORTED":
            return
        record.problems.append(f"request failed: {request.url}")

    page.on("requestfailed", on_request_failed)


def _screenshot(page, path: Path, variant: Variant) -> None:
    """The whole page as a PNG. Chromium's own capture beyond the viewport, tuned for
    speed, takes half the time of Playwright's full-page screenshot; that is the fallback."""
    try:
        cdp = page.context.new_cdp_session(page)
        try:
            height = page.evaluate("Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)")
            width = max(variant.width, page.evaluate("document.documentElement.scrollWidth"))
            shot = cdp.send("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True, "optimizeForSpeed": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            })
        finally:
            cdp.detach()
        path.write_bytes(base64.b64decode(shot["data"]))
    except Exception:  # noqa: BLE001 - any CDP trouble: Playwright's way
        page.screenshot(path=str(path), full_page=True)


def inject_axe(page, variant: Variant) -> None:
    """With JavaScript on, axe loads as a script from the app's own static folder (the asset
    build copies it there), which the CSP's script-src 'self' allows and Chromium compiles
    once and caches. Otherwise (no build, or JavaScript off) its source is evaluated."""
    if variant.javascript and AXE_STATIC.exists() and page.url.startswith("http"):
        page.add_script_tag(url=AXE_URL)
        return
    if not variant.javascript:
        page.evaluate(_TIMER_SHIM)
    page.evaluate(axe_source() + "\n;true")


def scan(page, name: str, state: str = "", recorder: Recorder | None = None, allow: dict[str, str] | None = None) -> Scan:
    """Screenshot, axe and title checks for the page as it is now. `name` identifies the
    page (its title must differ from every other page's); `state` says which state it is in
    ("empty", "error", "completed"...). Fails the test on any problem. `allow` names axe
    rules a page breaks on purpose, each with the reason (say it in the test too)."""
    recorder = recorder or RECORDER
    _clear_screenshots_once()
    record = _WATCHES.get(id(page)) or PageWatch(Variant(page.viewport_size["width"], page.viewport_size["height"]), "misc")
    variant = record.variant
    page.wait_for_load_state("load")

    # Screenshot first, so a failing page can still be looked at.
    recorder.counters[(variant.label, record.journey)] += 1
    number = recorder.counters[(variant.label, record.journey)]
    label = name + (f"-{state}" if state else "")
    shot = SCREENSHOTS / variant.label / record.journey / f"{number:02d}-{label}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    _screenshot(page, shot, variant)

    inject_axe(page, variant)
    result = page.evaluate(_RUN_AXE, WCAG_TAGS)

    title = page.title()
    allowed = [v for v in result["violations"] if allow and v["id"] in allow]
    entry = Scan(variant=variant.label, journey=record.journey, name=name, state=state, url=page.url, title=title,
                 passes=len(result["passes"]), incomplete=result["incomplete"],
                 violations=[v for v in result["violations"] if v not in allowed],
                 screenshot=str(shot.relative_to(ROOT)),
                 allowed=[f"{v['id']}: {allow[v['id']]}" for v in allowed] if allow else [])
    recorder.scans.append(entry)

    problems = list(record.problems)
    record.problems.clear()
    for v in result["violations"]:
        if allow and v["id"] in allow:
            continue
        nodes = "\n".join(f"      {n['target']}: {n['html']}\n        {n['summary']}" for n in v["nodes"])
        problems.append(f"axe {v['id']} ({v['impact']}): {v['help']} {v['helpUrl']}\n{nodes}")

    # Reflow (WCAG 1.4.10): nothing wider than the window, so no sideways scrolling at 320 px.
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > variant.width:
        wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w + 1).slice(-3).map(e => e.outerHTML.slice(0, 120))""",
                             variant.width)
        problems.append(f"the page is {width}px wide in a {variant.width}px window; widest: {wide}")

    # Forms, as GOV.UK asks: each radio or checkbox group is named by a legend; each error in
    # the summary links to a field on the page and is repeated as an inline message.
    problems.extend(page.evaluate(_FORM_CHECKS))

    # Titles: present, unique to the page, and "Error: " exactly when an error summary shows.
    if not title.strip():
        problems.append("the page has no title")
    owner = recorder.titles.setdefault(title, name)
    if owner != name:
        problems.append(f"the title {title!r} is used by two pages: {owner} and {name}")
    has_summary = page.locator(".govuk-error-summary").count() > 0
    if has_summary != title.startswith("Error: "):
        problems.append(f"title {title!r} and error summary shown={has_summary} do not agree")

    if problems:
        pytest.fail(f"{label} at {variant.label} ({page.url}), screenshot {entry.screenshot}:\n  "
                    + "\n  ".join(problems), pytrace=False)
    return entry
