"""GOV.UK Frontend in the templates: components come from the govuk-frontend-jinja macros, and
the few copies written out for speed live in templates/overrides/, each naming the version of
GOV.UK Frontend it copies (the one package.json pins)."""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
OVERRIDES = TEMPLATES / "overrides"
# The block class of each GOV.UK component a macro makes (layout helpers such as
# govuk-button-group and typography classes are not components).
COMPONENT = re.compile(
    r'class="[^"]*\bgovuk-(button|tag|table|back-link|radios|checkboxes|details|summary-list|pagination|inset-text'
    r'|warning-text|panel|notification-banner|error-summary|error-message|fieldset|input|select|textarea'
    r'|date-input|form-group|label|hint|breadcrumbs|tabs|accordion|file-upload|character-count|cookie-banner'
    r'|phase-banner|task-list|skip-link|header|generic-header|footer|service-navigation)(?!-[a-z])')


def pinned_version() -> str:
    return json.loads((ROOT / "package.json").read_text())["dependencies"]["govuk-frontend"]


def test_no_template_outside_the_overrides_writes_out_a_govuk_component():
    written_out = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
                   for path in TEMPLATES.rglob("*.html") if OVERRIDES not in path.parents
                   for match in COMPONENT.finditer(path.read_text())]
    assert written_out == []


def test_each_override_names_the_govuk_frontend_version_it_copies_and_why():
    version = pinned_version()
    for path in OVERRIDES.glob("*.html"):
        opening = re.match(r"\{#-?(.*?)-?#\}", path.read_text(), re.S)
        assert opening, f"{path.name} begins with a comment"
        assert f"GOV.UK Frontend {version}" in opening.group(1), path.name
        assert "Changes:" in opening.group(1) and "Why:" in opening.group(1), path.name


def test_the_layout_names_the_pinned_govuk_frontend_version_only():
    for name in ("base.html", "overrides/layout.html"):
        named = set(re.findall(r"GOV\.UK Frontend (\d+(?:\.\d+)*)", (TEMPLATES / name).read_text()))
        assert named <= {pinned_version()}, name


def test_govuk_macros_need_no_import(app):
    with app.test_request_context("/"):
        html = app.jinja_env.from_string("{{ govukTag({'text': 'In date', 'classes': 'govuk-tag--green'}) }}").render()
    assert '<strong class="govuk-tag govuk-tag--green">' in html and "In date" in html


def test_every_govuk_macro_a_page_calls_is_registered(app):
    called = {name for path in TEMPLATES.rglob("*.html")
              for name in re.findall(r"\b(govuk[A-Z][A-Za-z]+)\(", path.read_text())}
    assert called and called <= set(app.jinja_env.globals)


def _without_layout_whitespace(html: str) -> str:
    """Markup with the whitespace between and just inside tags taken out: what a browser
    renders the same either way."""
    return re.sub(r"\s*(<[^>]+>)\s*", r"\1", html).strip()


def test_the_table_override_makes_the_markup_govuk_table_makes(app):
    """overrides/table.html's app_table, given the parameters the service's tables use, makes
    what govukTable makes (the class lists, scopes and caption), text escaped alike."""
    params = {"caption": "Agencies <all>", "captionClasses": "govuk-table__caption--m", "firstCellIsHeader": True,
              "classes": "govuk-table--small-text-until-tablet",
              "head": [{"text": "Agency"}, {"text": "Staff", "format": "numeric"},
                       {"html": '<span class="govuk-visually-hidden">Book</span>', "classes": "app-x"}],
              "rows": [[{"html": '<a class="govuk-link" href="/a/1">North &amp; South</a>'},
                        {"text": "12 & more", "format": "numeric"}, {"text": "<b>", "classes": "app-y"}],
                       [{"text": "Police", "classes": "app-z", "format": "numeric"}, {"text": 0, "format": "numeric"},
                        {"html": "<strong>0</strong>"}],
                       []]}
    with app.test_request_context("/"):
        for first in (True, False):
            given = dict(params, firstCellIsHeader=first)
            ours = app.jinja_env.from_string("{{ app_table(p) }}").render(p=given)
            theirs = app.jinja_env.from_string("{{ govukTable(p) }}").render(p=given)
            assert _without_layout_whitespace(ours) == _without_layout_whitespace(theirs)
    assert "&lt;b&gt;" in ours and "12 &amp; more" in ours and "Agencies &lt;all&gt;" in ours
