"""The navigation as a signed-in member sees it on a desktop: in English, at
1280 px, its items ("Sign out" included) sit in one row, each on one line."""

import pytest

from tests.browser.steps import roomy
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db"),
]

# Each navigation item: its text, the top of its box, its height in lines.
LINES = """() => Array.from(
  document.querySelectorAll(
    "header nav .nav-links > li > a, header nav .nav-links > li button"
  )
).map((item) => {
  const style = getComputedStyle(item);
  const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
  const box = item.getBoundingClientRect();
  const height = box.height
    - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)
    - parseFloat(style.borderTopWidth) - parseFloat(style.borderBottomWidth);
  return [
    item.textContent.trim().replace(/\\s+/g, " "),
    Math.round(box.top),
    Math.round(height / line * 10) / 10,
  ];
})"""


@pytest.mark.parametrize("browser_locale", ["en-US"])
def test_the_english_navigation_sits_in_one_row_at_1280(member_browser):
    member = member_create(
        real_name="김모임", nickname="서울백엔더", display_mode="nickname"
    )
    page = roomy(member_browser(member).new_page())
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    items = page.evaluate(LINES)
    assert "Sign out" in [name for name, _top, _lines in items]
    # One row: "Sign out" was pushed under the other links.
    tops = {name: top for name, top, _lines in items}
    assert max(tops.values()) - min(tops.values()) <= 4, tops
    assert [name for name, _top, lines in items if lines > 1.2] == []
