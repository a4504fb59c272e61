"""The gathering page as a member on a phone (390 px) and at a desk (1280 px)
sees it, in each state that used to be wrong: the main action (apply, claim
the offer, join now, answer the survey) is in the first screen; past, live
and cancelled gatherings offer no application, no eligibility and no
invitation to join; an offline seat names no join link and its first-come
confirmation says so; a chat archive nobody wrote in is said, not an empty
box. Each reader's browser carries their session (``member_browser``)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import GatheringFormat, SelectionMode
from events.services.gatherings import gathering_cancel
from events.services.offers import offer_confirm
from tests.browser.steps import korean
from tests.community.forum_data import community_make
from tests.events.factories import gathering_held
from tests.events.test_attend_views import (
    apply,
    close_and_draw,
    detail_url,
    gathering_make,
    joined,
)
from tests.events.test_gathering_page import live_now
from tests.events.test_survey_views import shift_to_now
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
LONG = "\n\n".join(["캠페인 회고와 매체 믹스 이야기를 나눠요. " * 6] * 8)


def in_first_screen(page, locator) -> None:
    """``locator`` is visible without scrolling."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"]


def no_application_offered(page) -> None:
    main = page.locator("main")
    expect(main.locator("form[action$='/apply/']")).to_have_count(0)
    expect(main.locator("form[action$='/join/']")).to_have_count(0)
    expect(main).not_to_contain_text(korean("Who can apply"))
    expect(main).not_to_contain_text(korean("Sign in to apply"))


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_the_gathering_page_leads_with_its_state(member_browser, screenshot, viewport):
    community = community_make(owner=member_create())
    outsider = member_create()

    def visit(member, gathering, step):
        page = member_browser(member).new_page()
        page.set_viewport_size(viewport)
        page.goto(detail_url(gathering))
        screenshot(f"{step}-{viewport['width']}", page=page)
        return page

    # Open: the form is the first thing under the title, above a long text.
    open_one = gathering_make(community, description=LONG, capacity=1)
    page = visit(joined(community), open_one, "open")
    in_first_screen(page, page.locator("#apply-title"))
    if viewport is DESK:
        in_first_screen(
            page, page.get_by_role("button", name=korean("Send my application"))
        )

    # Drawn: the winner claims the seat from the first screen.
    winner = joined(community)
    apply(winner, open_one)
    close_and_draw(open_one)
    page = visit(winner, open_one, "offered")
    in_first_screen(page, page.get_by_role("button", name=korean("Confirm my seat")))

    # Live: the attendee joins from the first screen; nobody is offered to
    # apply, to join the community, or told who may apply.
    offer_confirm(member=winner, gathering=open_one)
    live = live_now(open_one)
    page = visit(winner, live, "live-attendee")
    in_first_screen(page, page.get_by_role("link", name=korean("Join now")))
    for reader in (outsider, joined(community)):
        no_application_offered(visit(reader, live, "live-reader"))

    # Cancelled: no invitation to join the community in order to apply.
    cancelled = gathering_make(community)
    gathering_cancel(gathering=cancelled, reason="장소 사정")
    page = visit(outsider, cancelled, "cancelled")
    no_application_offered(page)
    expect(page.locator("main")).to_contain_text(
        korean("This gathering was cancelled.")
    )

    # Offline, first come: the seat is confirmed at once and said so; no
    # join link is ever mentioned.
    cafe = gathering_make(
        community,
        format=GatheringFormat.OFFLINE,
        venue="성수동 카페",
        video_link="",
        selection_mode=SelectionMode.FIRST_COME,
        questions=[],
    )
    page = visit(joined(community), cafe, "offline-open")
    page.locator("textarea[name=motivation]").fill("커피 마시며 이야기해요")
    page.get_by_role("button", name=korean("Send my application")).click()
    expect(page.locator(".message-success")).to_have_text(
        korean("Your seat is confirmed. See you there!")
    )
    main = page.locator("main")
    expect(main).to_contain_text(
        korean("See you at %(venue)s.") % {"venue": "성수동 카페"}
    )
    expect(main).not_to_contain_text("참가 링크")
    screenshot(f"offline-confirmed-{viewport['width']}", page=page)

    # After the end: the survey leads for an attendee; the chat archive
    # nobody wrote in is one line, no presence and no empty box.
    held, attendees = gathering_held(attendees=2)
    page = visit(attendees[0], held, "ended")
    no_application_offered(page)
    expect(page.locator("#chat-archive-empty")).to_have_text(
        korean("Nobody wrote in the chat.")
    )
    expect(page.locator("[data-chat]")).to_have_count(0)
    shift_to_now(held)
    page = visit(attendees[1], held, "survey-open")
    in_first_screen(page, page.locator("#survey-answer-link"))


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_a_member_reaches_the_lounge_from_the_top_of_the_community_page(
    member_browser, screenshot, viewport
):
    community = community_make(owner=member_create())
    for number in range(6):
        gathering_make(community, title=f"모임 {number}", description=LONG)
    page = member_browser(joined(community)).new_page()
    page.set_viewport_size(viewport)
    page.goto(reverse("community_detail", args=[community.slug]))
    lounge = page.locator("#lounge [data-chat]")
    jump = page.get_by_role("link", name=korean("Go to the lounge"))
    if viewport is PHONE:
        in_first_screen(page, jump)
        jump.click()
        expect(lounge).to_be_in_viewport()
    else:
        expect(jump).to_be_hidden()
        in_first_screen(page, lounge.locator("h2"))
    screenshot(f"lounge-{viewport['width']}", page=page)
