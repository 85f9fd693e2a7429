"""scan() itself: it must fail on what it is there to catch, with JavaScript on and off,
or a green run would prove nothing."""
import pytest

from tests.browser.axe import Recorder, Variant, scan, watch

pytestmark = pytest.mark.browser

GOOD = """<!doctype html><html lang="en"><head><title>{title}</title></head>
<body><header><p>Service</p></header><main><h1>A page</h1><p>Some text.</p>{extra}</main></body></html>"""


def _page(browser, variant: Variant, html: str):
    context = browser.new_context(viewport={"width": variant.width, "height": variant.height},
                                  java_script_enabled=variant.javascript)
    page = context.new_page()
    watch(page, variant, "scan_self_test")
    page.set_content(html)
    return context, page


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_scan_passes_a_clean_page_and_fails_on_violations(browser, javascript):
    variant = Variant(1280, 800, javascript=javascript)
    recorder = Recorder()
    context, page = _page(browser, variant, GOOD.format(title="Clean", extra=""))
    try:
        result = scan(page, "clean", recorder=recorder)
        assert result.passes >= 5 and not result.violations

        page.set_content(GOOD.format(title="Broken", extra=(
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<p style="color:#bbb">Pale text that fails contrast</p><input type="text">')))
        with pytest.raises(pytest.fail.Exception) as failure:
            scan(page, "broken", recorder=recorder)
        message = str(failure.value)
        for rule in ("image-alt", "color-contrast", "label"):
            assert f"axe {rule} (" in message, message
    finally:
        context.close()


def test_scan_fails_on_sideways_scrolling_duplicate_titles_and_error_titles(browser):
    variant = Variant(320, 640)
    recorder = Recorder()
    context, page = _page(browser, variant, GOOD.format(title="Wide", extra='<div style="width:600px">wide</div>'))
    try:
        with pytest.raises(pytest.fail.Exception, match=r"6\d\dpx wide in a 320px window"):
            scan(page, "wide", recorder=recorder)

        page.set_content(GOOD.format(title="Same", extra=""))
        scan(page, "first", recorder=recorder)
        with pytest.raises(pytest.fail.Exception, match="used by two pages"):
            scan(page, "second", recorder=recorder)

        summary = ('<div class="govuk-error-summary"><ul><li><a href="#name">Enter a name</a></li></ul></div>'
                   '<label for="name">Name</label><input id="name">')
        page.set_content(GOOD.format(title="No error prefix", extra=summary))
        with pytest.raises(pytest.fail.Exception) as failure:
            scan(page, "form", recorder=recorder)
        assert "error summary shown=True" in str(failure.value)
        assert "no inline error message for: Enter a name" in str(failure.value)
    finally:
        context.close()
