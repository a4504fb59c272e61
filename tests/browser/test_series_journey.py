"""Repeating a gathering, as an organiser does it on a phone (390 px) and at
a desk (1280 px), in Korean: the series page sets the gathering to repeat
every week for four gatherings and lists the three made; a member sees them
on the gathering page under "매주 …요일 · 이 시리즈의 다른 모임"; "the next
one from this" proposes the date after the series' last and lands on the
draft's edit page. No copy carries the video link: the series page and each
occurrence's dashboard say it needs its own. Nothing overflows the screen's
width."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from events.models import Gathering, SeriesOccurrence
from tests.browser.steps import korean
from tests.events.factories import gathering_make, member_joined, organiser_of
from tests.factories import community_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


def fits_the_width(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_an_organiser_repeats_a_gathering_and_members_see_the_series(
    member_browser, screenshot, viewport
):
    community = community_create()
    organiser = organiser_of(community)
    member = member_joined(community)
    start = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    gathering = gathering_make(
        community=community,
        organiser=organiser,
        starts_at=start,
        title="주간 퍼포먼스 스터디",
    )
    args = [community.slug, gathering.pk]

    page = member_browser(organiser).new_page()
    page.set_viewport_size(viewport)
    page.goto(reverse("gathering_manage", args=args))
    page.get_by_role("link", name=korean("Repeat"), exact=True).click()
    expect(page.locator("h1")).to_have_text(korean("Repeat this gathering"))
    page.locator("input[name=rule][value=weekly]").check()
    page.locator("input[name=count]").fill("4")
    expect(page.locator(".gathering-form")).to_contain_text(
        korean(
            "The video link is not copied: each gathering of the series needs "
            "its own, which you add in Edit before its link is released. A link "
            "shared across the series would let anyone confirmed once join "
            "every later one without a seat."
        )
    )
    fits_the_width(page)
    screenshot(f"series-form-{viewport['width']}", page=page)
    page.get_by_role("button", name=korean("Repeat"), exact=True).click()
    expect(page.locator(".message").first).to_contain_text(
        korean("The gathering repeats. The next ones are made eight weeks ahead.")
    )
    expect(page.locator(".series-occurrence")).to_have_count(4)
    expect(page.get_by_text(korean("Needs its video link"))).to_have_count(3)
    fits_the_width(page)
    screenshot(f"series-made-{viewport['width']}", page=page)
    others = [
        o.gathering
        for o in SeriesOccurrence.objects.filter(gathering__community=community)
        .exclude(index=0)
        .select_related("gathering")
    ]
    assert len(others) == 3
    assert {o.video_link for o in others} == {""}
    page.goto(reverse("gathering_manage", args=[community.slug, others[0].pk]))
    expect(page.locator(".notice[role=status]").first).to_contain_text(
        "이 모임에는 아직 화상 회의 링크가 없어요."
    )
    fits_the_width(page)
    screenshot(f"occurrence-needs-link-{viewport['width']}", page=page)

    seen = member_browser(member).new_page()
    seen.set_viewport_size(viewport)
    seen.goto(reverse("gathering_detail", args=args))
    series = seen.locator(".gathering-series")
    expect(series.locator("h2")).to_contain_text("매주")
    expect(series.locator("h2")).to_contain_text("이 시리즈의 다른 모임")
    expect(series.locator("a")).to_have_count(3)
    series.scroll_into_view_if_needed()
    fits_the_width(seen)
    screenshot(f"series-on-the-page-{viewport['width']}", page=seen)
    series.locator("a").first.click()
    expect(seen).to_have_url(
        reverse("gathering_detail", args=[community.slug, others[0].pk])
    )
    expect(seen.locator(".gathering-series a")).to_have_count(3)

    page.goto(reverse("gathering_manage", args=args))
    page.get_by_role("link", name=korean("Create the next one from this")).click()
    # After the series' last date (the fourth, three weeks on).
    proposed = timezone.localtime(
        gathering.starts_at + timedelta(weeks=4), timezone.get_fixed_timezone(540)
    ).strftime("%Y-%m-%dT%H:%M")
    expect(page.locator("input[name=starts_at]")).to_have_value(proposed)
    assert gathering.video_link
    fits_the_width(page)
    screenshot(f"next-one-{viewport['width']}", page=page)
    page.get_by_role("button", name=korean("Create the draft")).click()
    copy = Gathering.objects.exclude(
        pk__in=[gathering.pk, *[o.pk for o in others]]
    ).get()
    expect(page).to_have_url(reverse("gathering_edit", args=[community.slug, copy.pk]))
    assert copy.published_at is None
    screenshot(f"next-one-edit-{viewport['width']}", page=page)
