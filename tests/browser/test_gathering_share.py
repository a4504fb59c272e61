"""An organiser on a phone (390 px) and at a desk (1280 px) makes a
gathering through the form and shares it: hosts picked by typing a name
(the picker's suggestions, chosen ones as chips), the advanced settings
folded until opened, the place field following the format, the page
previewed as members will see it, publishing confirmed, and the share page
(the link copied to the clipboard, the QR code drawn and read back by a
real decoder, zxing-cpp)."""

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image
from playwright.sync_api import expect

from community import timefmt
from community.models import DisplayMode, Membership, MembershipRole
from events.models import Gathering, GatheringStatus
from tests.browser.steps import korean, seoul_input
from tests.factories import community_create, member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1280"])
def test_an_organiser_makes_previews_publishes_and_shares_a_gathering(
    member_browser, live_asgi_server, screenshot, viewport
):
    community = community_create(name="퍼포먼스 마케팅")
    organiser = member_create(real_name="운영자")
    Membership.objects.create(
        community=community, member=organiser, role=MembershipRole.MODERATOR
    )
    jiyu = member_create(real_name="이지유")
    pixel = member_create(
        real_name="김비밀", nickname="픽셀장인", display_mode=DisplayMode.NICKNAME
    )
    for member in (jiyu, pixel):
        Membership.objects.create(community=community, member=member)

    context = member_browser(organiser)
    context.grant_permissions(
        ["clipboard-read", "clipboard-write"], origin=live_asgi_server.url
    )
    page = context.new_page()
    page.set_viewport_size(viewport)
    shot = f"{viewport['width']}"
    page.goto(reverse("gathering_create", args=[community.slug]))
    form = page.locator("form.gathering-form")

    # The place field follows the format.
    form.locator("input[name=format][value=online]").check()
    expect(form.locator("input[name=video_link]")).to_be_visible()
    expect(form.locator("input[name=venue]")).to_be_hidden()
    form.locator("input[name=format][value=offline]").check()
    expect(form.locator("input[name=video_link]")).to_be_hidden()
    expect(form.locator("input[name=venue]")).to_be_visible()

    now = timezone.now()
    starts = now + timedelta(days=7)
    form.locator("input[name=title]").fill("광고 성과 같이 보기")
    form.locator("textarea[name=description]").fill("**ROAS**를 같이 봐요.")
    form.locator("input[name=venue]").fill("서울 강남구 테헤란로 1")
    form.locator("input[name=starts_at]").fill(seoul_input(starts))
    form.locator("input[name=ends_at]").fill(seoul_input(starts + timedelta(hours=2)))
    form.locator("input[name=applications_open_at]").fill(seoul_input(now))
    form.locator("input[name=applications_close_at]").fill(
        seoul_input(now + timedelta(days=3))
    )

    # Hosts: typed, suggested, picked; the field of ids is hidden.
    expect(form.locator("input[name=hosts]")).to_be_hidden()
    # Its help says how to pick, not how to type names between commas.
    expect(form.locator("[data-host-help]")).to_have_text(
        korean(
            "Type part of a name or nickname and pick the member from the list. "
            "Hosts organise this gathering with the moderators. Empty: you."
        )
    )
    search = form.get_by_role("combobox", name=korean("Hosts"))
    search.fill("이지")
    option = page.locator("#host-suggestions [role=option]")
    expect(option).to_have_count(1)
    expect(option.first).to_contain_text("이지유")
    screenshot(f"host-suggestions-{shot}", page=page)
    search.press("Enter")
    search.fill("픽셀")
    expect(option.first).to_contain_text("픽셀장인")
    option.first.click()
    chips = form.locator(".host-chip")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_contain_text("이지유")
    # A chip is removable, and can be picked again.
    chips.nth(1).get_by_role("button").click()
    expect(chips).to_have_count(1)
    search.fill("픽셀")
    option.first.click()
    expect(chips).to_have_count(2)

    # The advanced settings are folded, their defaults said.
    fold = form.locator("#advanced-settings")
    expect(fold.locator("summary")).to_contain_text("24")
    expect(form.locator("input[name=claim_window_hours]")).to_be_hidden()
    fold.locator("summary").click()
    expect(form.locator("input[name=claim_window_hours]")).to_be_visible()
    form.locator("input[name=link_release_hours]").fill("6")
    screenshot(f"form-filled-{shot}", page=page)
    # A full-page screenshot leaves Chromium's hit-testing at a stale scroll
    # offset (a click then lands beside its target): start from the top.
    page.evaluate("window.scrollTo(0, 0)")
    form.get_by_role("button", name=korean("Save draft")).click()
    expect(page).to_have_url(re.compile(r"/manage/$"))

    gathering = Gathering.objects.get(community=community)
    assert set(gathering.hosts.all()) == {jiyu, pixel}
    assert (gathering.format, gathering.video_link) == ("offline", "")
    assert gathering.link_release_before == timedelta(hours=6)

    # The edit page opens the fold (a changed value) and shows the chips.
    page.goto(reverse("gathering_edit", args=[community.slug, gathering.pk]))
    expect(page.locator("#advanced-settings")).to_have_attribute("open", "")
    expect(page.locator(".host-chip")).to_have_count(2)

    # The preview: the members' page, marked, nothing to press.
    page.goto(reverse("gathering_manage", args=[community.slug, gathering.pk]))
    page.get_by_role("link", name=korean("Preview the page")).click()
    expect(page.locator("#preview-banner")).to_contain_text(korean("Preview"))
    expect(page.get_by_role("heading", level=1)).to_have_text("광고 성과 같이 보기")
    expect(
        page.get_by_role("button", name=korean("Send my application"))
    ).to_be_disabled()
    screenshot(f"preview-{shot}", page=page)

    # Publishing asks first, and says what it does.
    page.locator("#preview-banner").get_by_role("link", name=korean("Publish")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        korean("Publish this gathering?")
    )
    expect(page.locator(".publish-steps")).to_contain_text(
        korean(
            "From then on the selection and the opening time cannot change, and "
            "the terms change only by a numbered amendment published with its "
            "reason."
        )
    )
    screenshot(f"publish-confirm-{shot}", page=page)
    page.locator("#publish-confirm").click()

    # The share page: the link copied, the QR code drawn, the card shown.
    expect(page).to_have_url(re.compile(r"/share/$"))
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.OPEN
    address = live_asgi_server_address(gathering)
    expect(page.locator("#share-url")).to_have_value(address)
    page.get_by_role("button", name=korean("Copy link")).click()
    expect(page.locator("[data-share-status]")).to_have_text(korean("Link copied."))
    assert page.evaluate("navigator.clipboard.readText()") == address
    qr = page.locator("#share-qr")
    expect(qr).to_be_visible()
    # Visible is not yet loaded: wait (up to the default timeout) until the
    # picture has been decoded.
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle()
    )
    # What a phone's camera reads in the drawn code: the page's address.
    drawn = Image.open(io.BytesIO(qr.screenshot()))
    assert [found.text for found in zxingcpp.read_barcodes(drawn)] == [address]
    # No Web Share API in a desktop Chromium: its button stays hidden.
    expect(page.locator("#share-native")).to_be_hidden()
    expect(page.locator("#link-card")).to_contain_text("광고 성과 같이 보기")
    screenshot(f"share-{shot}", page=page)


def live_asgi_server_address(gathering) -> str:
    from django.conf import settings

    return settings.SITE_URL + reverse(
        "gathering_detail", args=[gathering.community.slug, gathering.pk]
    )


# What a phone's browser has and a desktop Chromium lacks: the Web Share API.
# The stub records what the page hands to the system's share sheet (where
# KakaoTalk is picked), as the phone would receive it.
WEB_SHARE = """
window.__shared = [];
Object.defineProperty(navigator, "share", {
  configurable: true,
  value: (data) => { window.__shared.push(data); return Promise.resolve(); },
});
"""


def test_a_phone_sends_the_link_to_kakaotalk_through_the_share_sheet(
    member_browser, screenshot
):
    from events.services.gatherings import gathering_create, gathering_publish

    community = community_create(name="퍼포먼스 마케팅")
    organiser = member_create(real_name="운영자")
    Membership.objects.create(
        community=community, member=organiser, role=MembershipRole.MODERATOR
    )
    starts = timezone.now() + timedelta(days=7)
    gathering = gathering_publish(
        gathering=gathering_create(
            community=community,
            created_by=organiser,
            title="광고 성과 같이 보기",
            format="offline",
            venue="서울 강남구 테헤란로 1",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            applications_open_at=timezone.now(),
            applications_close_at=timezone.now() + timedelta(days=3),
            capacity=10,
        )
    )

    context = member_browser(organiser)
    context.add_init_script(WEB_SHARE)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(reverse("gathering_share", args=[community.slug, gathering.pk]))
    button = page.get_by_role("button", name=korean("Send to KakaoTalk or another app"))
    expect(button).to_be_visible()
    screenshot("share-web-share-390", page=page)
    button.click()
    page.wait_for_function("window.__shared.length === 1")
    (shared,) = page.evaluate("window.__shared")
    assert shared["url"] == live_asgi_server_address(gathering)
    assert shared["title"] == "광고 성과 같이 보기"
    # The text is the card's time, as the link card says it.
    with translation.override("ko"):
        assert shared["text"] == timefmt.moment(gathering.starts_at)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
