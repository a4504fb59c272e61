"""The manage page as an organiser uses it on a phone (390 px) and at a desk
(1280 px): applicants as cards on the phone and as a table at the desk, from
the same markup; no cell one letter wide; members who share a name told
apart; the search and the status chips narrow the list without a script."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from community.roles import ExperienceBand, JobRole
from events.models import Application, ApplicationStatus
from tests.browser.steps import korean
from tests.community.forum_data import community_make
from tests.events.test_attend_views import apply, close_and_draw, gathering_make, joined
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def _drawn_gathering():
    owner = member_create()
    community = community_make(owner=owner)
    gathering = gathering_make(
        community, by=owner, capacity=3, questions=["연차는 어떻게 되나요?"]
    )
    namesakes = [
        joined(community, real_name="김민준", role=JobRole.DATA),
        joined(
            community,
            real_name="김민준",
            role=JobRole.SALES,
            experience=ExperienceBand.VETERAN,
        ),
    ]
    others = [
        joined(community, real_name=name)
        for name in ("이지유", "최서연", "박지호", "정하은")
    ]
    for member in [*namesakes, *others]:
        apply(member, gathering, answers=["5년 차 퍼포먼스 마케터예요"])
    close_and_draw(gathering)
    return owner, gathering, namesakes


def _cell_widths(page) -> list[float]:
    """The widths of the applicants' cells that hold something."""
    return page.evaluate(
        """() => [...document.querySelectorAll('tr.applicant > th, tr.applicant > td')]
            .filter((cell) => cell.textContent.trim())
            .map((cell) => cell.getBoundingClientRect().width)"""
    )


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_the_applicants_fit_the_screen_and_narrow_down(
    member_browser, screenshot, viewport
):
    owner, gathering, namesakes = _drawn_gathering()
    page = member_browser(owner).new_page()
    page.set_viewport_size(viewport)
    url = reverse("gathering_manage", args=[gathering.community.slug, gathering.pk])
    page.goto(url)
    screenshot(f"manage-{viewport['width']}", page=page)

    rows = page.locator("tr.applicant")
    expect(rows).to_have_count(6)
    head = page.locator(".applications-table thead")
    if viewport is PHONE:
        # Cards: no column headings, each applicant a box as wide as the page.
        assert head.bounding_box()["height"] <= 1
        assert rows.first.evaluate("(row) => getComputedStyle(row).display") == "block"
        assert rows.first.bounding_box()["width"] > 300
    else:
        expect(head).to_be_visible()
        assert rows.first.evaluate("(row) => getComputedStyle(row).display") == (
            "table-row"
        )
    # Nothing is one letter wide, and nothing runs off the page.
    assert min(_cell_widths(page)) > 40
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    # A status never breaks inside itself.
    for badge in page.locator("tr.applicant .applicant-status .badge").all():
        assert badge.bounding_box()["height"] < 30

    # Members who share a name are told apart by role and public id.
    for member in namesakes:
        application = Application.objects.get(gathering=gathering, member=member)
        row = page.locator(f"#application-{application.pk}")
        # The page is in Korean whatever language this test process is in.
        with translation.override("ko"):
            role = str(member.get_role_display())
        expect(row).to_contain_text(role)
        expect(row).to_contain_text(application.public_id)

    # The search, sent as a plain form.
    page.get_by_label(korean("Name or id")).fill("김민준")
    page.get_by_role("button", name=korean("Show")).click()
    expect(rows).to_have_count(2)
    expect(page.locator("#applicant-q")).to_have_value("김민준")

    # A status chip narrows the whole list.
    page.goto(url)
    chips = page.get_by_role("navigation", name=korean("Applicants by status"))
    chips.get_by_role("link", name=korean("Waitlisted")).click()
    waitlisted = Application.objects.filter(
        gathering=gathering, status=ApplicationStatus.WAITLISTED
    ).count()
    expect(rows).to_have_count(waitlisted)
    for status in page.locator("tr.applicant .status-waitlisted").all():
        expect(status).to_have_text(korean("Waitlisted"))
    expect(chips.get_by_role("link", name=korean("Waitlisted"))).to_have_attribute(
        "aria-current", "true"
    )
    screenshot(f"manage-waitlisted-{viewport['width']}", page=page)

    # The exports offered are the list as filtered.
    export = page.locator("a[href*='applicants.xlsx']")
    assert "status=waitlisted" in export.get_attribute("href")
