"""The path as an asset (issue #21), in Korean and in English: an attendee
the organisers checked in writes their takeaway from their path; thirty-one
days later the follow-up job asks whether they applied it, and they open the
question from their notifications, answer with a note typed in their
language and read the answer on their path, under the takeaway; they issue
themself a credential of the gathering, and anyone, signed out in another
browser, pastes it on the public verification page and reads that it is
valid, who issued it, to whom and what; the attendee revokes it, and the
same credential then reads as revoked; an altered copy is refused.

Screenshots at 390 and 1280 pixels: the follow-up answered, the path's
follow-up and credentials, and the verification page valid, revoked and tampered.
"""

import base64
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.urls import reverse
from playwright.sync_api import expect

from community.models import Membership, MembershipRole
from events.models import Application
from events.services.attendance import checkin_record
from events.services.followups import followup_url, followups_run
from tests.browser.steps import (
    roomy,
    sign_in,
    texts_in_another_language,
    translated,
)
from tests.browser.test_survey_journey import held_just_now
from tests.factories import PASSWORD, community_create, member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

LEARNED = "실험 하나에 변수 하나만 바꿔야 결과를 읽을 수 있다."
WILL_APPLY = "다음 캠페인부터 소재 테스트를 한 번에 하나씩 돌린다."
WIDTHS = (390, 1280)
# The follow-up's answer (value, label) and the note, typed in the
# member's language.
FOLLOWUP = {
    "ko": ("applied", "Applied it", "두 캠페인에서 소재를 하나씩만 바꿔 봤어요."),
    "en": ("partly", "Partly", "Tried it on one campaign of two so far."),
}


def shoot_widths(screenshot, page, step: str) -> None:
    """The page at a phone's width and a laptop's, then back to the
    laptop's."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(f"{step}-{width}", page=page)


def followup_ask(gathering, *, now) -> None:
    """The follow-up job, run as the worker runs it at ``now``: in a thread
    and a connection of its own (it pushes the unread counts to the open
    pages, which cannot be done from Playwright's event loop)."""

    def run():
        try:
            return followups_run(now=now)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as worker:
        asked, _closed = worker.submit(run).result()
    assert asked >= 1


def tampered(token: str) -> str:
    """The credential with another name in it, its signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["name"] = "다른 사람"
    body = json.dumps(claims, ensure_ascii=False).encode()
    forged = base64.urlsafe_b64encode(body).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def verify(page, token: str, language: str) -> None:
    page.goto(reverse("credential_verify"))
    page.locator("textarea[name=credential]").fill(token)
    page.get_by_role("button", name=translated("Verify", language)).click()


@pytest.mark.parametrize("browser_locale", ["ko-KR", "en-US"], ids=["ko", "en"])
def test_an_attendee_issues_a_credential_anyone_verifies_then_revokes_it(
    browser_locale, page, another_page, page_problems, screenshot
):
    language = browser_locale.split("-")[0]

    def t(text: str, context: str | None = None) -> str:
        return translated(text, language, context)

    # --- 1. A gathering that ended a minute ago; the organisers checked the
    # attendee in.
    community = community_create(name="퍼포먼스 마케팅", slug=f"pm-path-{language}")
    organiser = member_create(language=language)
    Membership.objects.create(
        community=community, member=organiser, role=MembershipRole.MODERATOR
    )
    attendee = member_create(language=language, real_name="김하늘")
    other = member_create(language=language)
    for member in (attendee, other):
        Membership.objects.create(community=community, member=member)
    gathering = held_just_now(
        community, organiser, [attendee, other], f"소재 테스트 설계 ({language})"
    )
    checkin_record(
        gathering=gathering,
        attended={
            application.pk: True
            for application in Application.objects.filter(gathering=gathering)
        },
    )

    # --- 2. The attendee writes their takeaway from their path.
    roomy(page)
    sign_in(page, attendee.email, PASSWORD, language)
    path_url = reverse("member_path", args=[attendee.public_id])
    page.goto(path_url)
    page.get_by_role("link", name=t("Write my takeaway")).click()
    page.locator("textarea[name=learned]").fill(LEARNED)
    page.locator("textarea[name=will_apply]").fill(WILL_APPLY)
    page.get_by_role("button", name=t("Save my takeaway")).click()
    expect(page).to_have_url(path_url)
    expect(page.locator(".path-takeaway")).to_contain_text(LEARNED)

    # --- 3. Thirty-one days later the worker asks the follow-up; the
    # attendee opens it from their notifications, answers with a note and
    # reads the answer on their path, under their takeaway.
    followup_ask(gathering, now=gathering.ends_at + timedelta(days=31))
    page.goto(reverse("notification_list"))
    question = t(
        "You kept a takeaway from ‘%(title)s’. Did you apply it? You can answer "
        "until %(close)s."
    )
    asked = question.split("%(close)s")[0] % {"title": gathering.title}
    page.locator(".notification-text", has_text=asked).click()
    expect(page).to_have_url(followup_url(gathering))
    expect(page.locator("h1")).to_have_text(t("From takeaway to action"))
    expect(page.locator(".path-takeaway")).to_contain_text(LEARNED)
    answer, label, note = FOLLOWUP[language]
    page.get_by_label(t(label, "followup"), exact=True).check()
    note_field = page.locator("textarea[name=note]")
    note_field.click()
    page.keyboard.type(note)
    expect(note_field).to_have_value(note)
    shoot_widths(screenshot, page, "followup-filled")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name=t("Save my answer")).click()
    # Back on the path, at the gathering's entry.
    anchor = f"item-attended-{gathering.pk}"
    expect(page).to_have_url(f"{path_url}#{anchor}")
    expect(page.locator(f"#{anchor}")).to_contain_text(note)
    expect(page.locator(".message-success")).to_contain_text(
        t("Your answer is saved on your path.")
    )
    followup = page.locator(f"#followup-{gathering.pk}")
    expect(followup).to_contain_text(t(label, "followup"))
    expect(followup).to_contain_text(note)
    expect(followup.locator(f".badge.followup-{answer}")).to_be_visible()
    # Under the takeaway it answers, in the same quote.
    expect(page.locator(".path-takeaway", has=followup)).to_contain_text(LEARNED)
    followup.scroll_into_view_if_needed()
    shoot_widths(screenshot, page, "path-followup")

    # --- 4. The attendee issues a credential of the gathering.
    page.get_by_role("link", name=t("Issue a credential")).click()
    expect(page.locator("h1")).to_have_text(t("Issue a credential"))
    expect(page.locator("main")).not_to_contain_text(LEARNED)
    page.get_by_role("button", name=t("Issue the credential")).click()
    expect(page).to_have_url(path_url + "#credentials")
    row = page.locator(".credential-row").first
    expect(row).to_contain_text(gathering.title)
    token = row.locator("[data-credential-token]").input_value()
    assert token.count(".") == 2
    page.locator("#credentials").scroll_into_view_if_needed()
    shoot_widths(screenshot, page, "path-credentials")

    # --- 5. Anyone, signed out in another browser, verifies it.
    visitor = roomy(another_page())
    verify(visitor, token, language)
    result = visitor.locator("#credential-result")
    expect(result).to_have_class("credential-result credential-valid")
    expect(result).to_contain_text(t("Valid"))
    expect(result).to_contain_text("김하늘")
    expect(result).to_contain_text(gathering.title)
    expect(result).to_contain_text(community.name)
    expect(result).not_to_contain_text(LEARNED)
    assert not texts_in_another_language(
        visitor,
        language,
        {"김하늘", gathering.title, community.name, attendee.public_id}
        | ({"dev"} if language == "ko" else set()),
    )
    shoot_widths(screenshot, visitor, "verify-valid")

    # An altered copy is refused, in words.
    page_problems.expect_status(reverse("credential_verify"), 400)
    verify(visitor, tampered(token), language)
    expect(visitor.locator("#credential-result")).to_contain_text(
        t(
            "The signature does not match: this credential was changed after "
            "it was issued, or it was not issued here."
        )
    )
    shoot_widths(screenshot, visitor, "verify-tampered")

    # --- 6. The attendee revokes it; the same credential now reads revoked.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator(".credential-row").first.get_by_role(
        "button", name=t("Revoke")
    ).click()
    expect(page.locator(".message-success")).to_contain_text(
        t("Revoked: anyone who checks it now sees so.")
    )
    expect(page.locator(".credential-row").first).to_contain_text(
        t("Revoked", "credential")
    )
    shoot_widths(screenshot, page, "path-revoked")

    verify(visitor, token, language)
    result = visitor.locator("#credential-result")
    expect(result).to_have_class("credential-result credential-revoked")
    expect(result).to_contain_text(t("Revoked", "credential"))
    expect(result).to_contain_text(gathering.title)
    shoot_widths(screenshot, visitor, "verify-revoked")
