"""A moderator opens "how our gatherings went" on a phone (390 px) and on a
desktop (1280 px): the funnel, the attendance by month and the satisfaction
charts are drawn, fit the screen (nothing scrolls sideways), and a gathering
below k reads "hidden" where its satisfaction would be."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from community.models import Membership, MembershipRole
from events.models import ApplicationStatus, Gathering, GatheringStatus
from tests.browser.steps import sign_in
from tests.events.factories import members_joined
from tests.events.test_analytics import applications, crafted, seoul, survey
from tests.factories import PASSWORD, community_create, member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]


def community_with_history():
    community = community_create(name="퍼포먼스 마케팅 모임", slug="analytics-browser")
    moderator = member_create(language="ko")
    Membership.objects.create(
        community=community, member=moderator, role=MembershipRole.MODERATOR
    )
    members = members_joined(community, 6)
    confirmed = ApplicationStatus.CONFIRMED
    for month, (k, count, average) in enumerate(
        [(3, 4, 4.2), (5, 2, None), (3, 5, 3.8)], start=9
    ):
        gathering = crafted(
            community,
            moderator,
            title=f"{month}월 회고 모임",
            starts_at=seoul(2026, month, 10),
            status=GatheringStatus.SURVEY_CLOSED,
        )
        applications(
            gathering,
            [(m, confirmed, i != 5) for i, m in enumerate(members)],
        )
        survey(gathering, k=k, count=count, average=average, answered=members[:count])
    return community, moderator


@pytest.mark.parametrize("width", [390, 1280])
def test_a_moderator_finds_the_charts(page, width):
    community, moderator = community_with_history()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, moderator.email, PASSWORD)
    page.goto(reverse("community_analytics", args=[community.slug]))
    expect(page.get_by_role("heading", level=1)).to_have_text("모임 돌아보기")
    for chart in ("funnel", "months", "satisfaction"):
        svg = page.locator(f'svg[data-chart="{chart}"]')
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box["width"] > 200 and box["x"] + box["width"] <= width
    expect(page.locator('svg[data-chart="funnel"] rect.bar-fill')).to_have_count(5)
    expect(page.locator('svg[data-chart="months"] rect.bar-attended')).to_have_count(3)
    # Two months met k; the October gathering's survey did not.
    expect(page.locator('svg[data-chart="satisfaction"] circle')).to_have_count(2)
    october = Gathering.objects.get(title="10월 회고 모임")
    expect(page.locator(f"#gathering-{october.pk}")).to_contain_text(
        "응답이 5명 미만이라 숨겼어요"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("link", name="9월 회고 모임").click()
    expect(page.locator('svg[data-chart="funnel"]')).to_be_visible()
    expect(page.locator("#figure-satisfaction")).to_contain_text("4.2 / 5")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
