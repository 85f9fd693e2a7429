"""The staff table on the dashboards shows every required module at 1280 px and on a phone:
the name column stays in place, module headings are short (M1, M2...) with the full titles
in a key and in each heading's and cell's accessible text, and the module columns scroll
inside their own labelled, focusable region, never the page. Every page is scanned with axe."""
import pytest

from tests.browser.axe import Variant
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import sign_in, sign_out

pytestmark = pytest.mark.browser

VARIANTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(Variant(375, 812), id="375px"),
            pytest.param(PHONE, id="320px")]

# For each module column: scrolled so the column starts just right of the name column, is
# all of it visible between the name column's right edge and the region's right edge?
EVERY_COLUMN_SHOWN = """() => {
  const region = document.querySelector('.app-matrix-scroll');
  const name = region.querySelector('thead .app-matrix__name');
  const columns = [...region.querySelectorAll('thead .app-matrix__module')];
  const hidden = [];
  for (const th of columns) {
    region.scrollLeft = th.offsetLeft - name.offsetWidth;
    const box = region.getBoundingClientRect();
    const inner = box.left + region.clientLeft + region.clientWidth;
    const r = th.getBoundingClientRect(), n = name.getBoundingClientRect();
    if (r.right > inner + 1 || r.left < n.right - 1) hidden.push(th.innerText);
  }
  region.scrollLeft = 0;
  return {count: columns.length, hidden};
}"""


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("who,path,page_name", [("coordinator@example.org", "/dashboard/staff", "dashboard-staff"),
                                                ("lead@example.org", "/dashboard/", "dashboard-agency")])
def test_every_module_column_can_be_seen_and_the_page_does_not_scroll_sideways(visit, variant, who, path, page_name):
    tab = visit(variant)
    sign_in(tab, who, scan_as=None)
    tab.go(path)
    tab.scan(page_name, who.split("@")[0])
    region = tab.page.locator(".app-matrix-scroll")
    assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
    assert "scrolls sideways" in region.get_attribute("aria-label")

    shown = tab.page.evaluate(EVERY_COLUMN_SHOWN)
    key = tab.page.locator(".app-matrix-key__item dd").all_inner_texts()
    assert shown["count"] == len(key) > 1, (shown, key)
    assert shown["hidden"] == [], f"module columns that cannot be scrolled fully into view: {shown['hidden']}"
    page_width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= variant.width, f"the page scrolls sideways: {page_width} px in a {variant.width} px window"

    # The full titles: in the key, in each heading's and in each cell's accessible text.
    headings = tab.page.locator(".app-matrix thead .app-matrix__module").all_text_contents()
    first_row = tab.page.locator(".app-matrix tbody tr").first.locator("td").all_text_contents()
    for i, title in enumerate(key):
        assert headings[i] == f"M{i + 1}{title}", headings[i]
        assert first_row[i].startswith(f"{title}: "), first_row[i]

    # The name column stays in place when the modules scroll.
    name = tab.page.locator(".app-matrix tbody th").first
    before = name.bounding_box()["x"]
    region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    assert abs(name.bounding_box()["x"] - before) < 1
    tab.scan(page_name, who.split("@")[0] + "-scrolled")
    sign_out(tab)
