"""After a gathering, in Korean, each member in their own browser: attendees
answer the anonymous survey (and see "answered", never their answers); the
organiser sees only how many answered while it is open; after the close of a
gathering with too few answers the organiser reads "not enough responses",
and after the close of this one the average, the SVG bars and the comments
in a shuffled order; the public page shows "평균 4.0점 (응답 5명)"; a member who
did not attend is refused (read in English); an attendee writes a takeaway,
publishes it, and a visitor finds it on their path.

The server runs on real time: the gathering is made in the past through the
services, and the survey's close is the lifecycle job run by the test at the
close's moment, as the task worker would.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Membership, MembershipRole
from events.models import Gathering, GatheringStatus
from events.services.lifecycle import gathering_advance
from events.services.offers import offer_confirm
from events.services.surveys import response_submit
from tests.browser.steps import (
    gathering_schedule_shift,
    roomy,
    sign_in,
    survey_answer,
    survey_close,
    takeaway_publish,
)
from tests.events.factories import (
    apply_all,
    gathering_make,
    survey_answers,
)
from tests.factories import PASSWORD, community_create, member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.once,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

TITLE = "크리에이티브 테스트 설계 워크숍"
SHORT_TITLE = "측정 스터디 (소규모)"
COMMENTS = [
    "다른 회사의 A/B 테스트 설계 문서를 본 게 가장 좋았어요.",
    "샘플 크기 계산법을 바로 써먹을 수 있었어요.",
    "실패한 실험 이야기가 솔직해서 좋았습니다.",
    "소재 피로도 기준을 숫자로 들을 수 있었어요.",
    "소규모 예산 테스트 요령이 현실적이었어요.",
]
LEARNED = "가설 하나에 변수 하나만 바꿔야 결과를 해석할 수 있다."


def held_just_now(community, organiser, attendees, title) -> Gathering:
    """A lottery gathering every applicant won, confirmed and attended,
    that ended a minute ago; advanced now, so its survey opens now."""
    gathering = gathering_make(
        community=community,
        organiser=organiser,
        capacity=len(attendees),
        title=title,
    )
    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.applications_open_at
    )
    apply_all(gathering, attendees)
    closes = gathering.applications_close_at
    gathering_advance(gathering_id=gathering.pk, now=closes)
    for member in attendees:
        offer_confirm(
            member=member, gathering=gathering, now=closes + timedelta(minutes=5)
        )
    # Move the whole schedule back so that the gathering ended a minute ago.
    gathering_schedule_shift(
        gathering, (timezone.now() - timedelta(minutes=1)) - gathering.ends_at
    )
    gathering = gathering_advance(gathering_id=gathering.pk, now=timezone.now())
    assert gathering.status == GatheringStatus.SURVEY_OPEN
    return gathering


def page_url(name, gathering) -> str:
    return reverse(name, args=[gathering.community.slug, gathering.pk])


def answer_in_browser(page, gathering, rating: int, comment: str) -> None:
    page.goto(page_url("gathering_detail", gathering))
    survey_answer(page, rating=rating, comment=comment)


def test_attendees_answer_and_organisers_read_results_only_after_close_from_k(
    page, another_page, page_problems, screenshot
):
    roomy(page)
    community = community_create(name="퍼포먼스 마케팅", slug="pm-survey")
    organiser = member_create(language="ko")
    Membership.objects.create(
        community=community, member=organiser, role=MembershipRole.MODERATOR
    )
    attendees = [member_create(language="ko") for _ in range(6)]
    outsider = member_create(language="ko")
    for member in [*attendees, outsider]:
        Membership.objects.create(community=community, member=member)
    gathering = held_just_now(community, organiser, attendees, TITLE)
    short = held_just_now(community, organiser, attendees[:4], SHORT_TITLE)

    # Two attendees answer through their browsers, in Korean.
    sign_in(page, attendees[0].email, PASSWORD)
    answer_in_browser(page, gathering, 5, COMMENTS[0])
    screenshot("attendee-answered")
    # Refusals answer 403, on purpose.
    page_problems.expect_status(page_url("survey_answer", gathering), 403)
    page.goto(page_url("survey_answer", gathering))
    expect(page.locator("#survey-refusal")).to_contain_text("이미 이 설문에 답했어요.")

    second = roomy(another_page())
    sign_in(second, attendees[1].email, PASSWORD)
    answer_in_browser(second, gathering, 4, COMMENTS[1])
    screenshot("survey-form-sent", page=second)

    # While the survey is open the organiser sees only how many answered.
    organiser_page = roomy(another_page())
    sign_in(organiser_page, organiser.email, PASSWORD)
    organiser_page.goto(page_url("survey_results", gathering))
    expect(organiser_page.locator("#survey-progress")).to_have_text(
        "참석자 6명 중 2명이 답했어요."
    )
    expect(organiser_page.locator("#survey-wait")).to_be_visible()
    expect(organiser_page.locator("main")).not_to_contain_text(COMMENTS[0])
    expect(organiser_page.locator("svg.survey-bars")).to_have_count(0)
    screenshot("organiser-while-open", page=organiser_page)

    # The small gathering closes with two answers: below k.
    for member, rating in zip(attendees[:2], [4, 3], strict=True):
        response_submit(member=member, gathering=short, answers=survey_answers(rating))
    survey_close(short)
    organiser_page.goto(page_url("survey_results", short))
    expect(organiser_page.locator("#survey-not-enough")).to_contain_text(
        "익명성을 지키기에는 응답이 부족해요"
    )
    expect(organiser_page.locator("svg.survey-bars")).to_have_count(0)
    screenshot("organiser-below-k", page=organiser_page)

    # Three more attendees answer; the survey closes with five: k.
    for member, rating, comment in zip(
        attendees[2:5], [4, 3, 4], COMMENTS[2:5], strict=True
    ):
        response_submit(
            member=member,
            gathering=gathering,
            answers=survey_answers(rating, useful=comment, again="yes"),
        )
    survey_close(gathering)
    organiser_page.goto(page_url("survey_results", gathering))
    satisfaction = organiser_page.locator("#result-satisfaction")
    expect(satisfaction.locator(".survey-average")).to_contain_text(
        "평균 4.0점 / 5점 만점"
    )
    expect(satisfaction.locator("svg.survey-bars rect.bar-fill")).to_have_count(5)
    expect(organiser_page.locator("#survey-rate")).to_have_text("응답 5명 · 응답률 83%")
    screenshot("organiser-results", page=organiser_page)

    def comment_order() -> list[str]:
        texts = organiser_page.locator("#result-useful .survey-texts li")
        expect(texts).to_have_count(5)
        return texts.all_inner_texts()

    orders = [comment_order()]
    assert sorted(orders[0]) == sorted(COMMENTS)
    for _ in range(5):
        organiser_page.reload()
        orders.append(comment_order())
    assert len({tuple(order) for order in orders}) > 1, orders
    with organiser_page.expect_download() as download:
        organiser_page.get_by_role("link", name="CSV 내려받기").click()
    assert "평균" in download.value.path().read_text(encoding="utf-8-sig")

    # The public page shows the average to everyone.
    visitor = roomy(another_page())
    visitor.goto(page_url("gathering_detail", gathering))
    expect(visitor.locator("#survey-summary")).to_have_text("평균 4.0점 (응답 5명)")
    visitor.goto(page_url("gathering_detail", short))
    expect(visitor.locator("#survey-summary")).to_have_count(0)

    # A member who did not attend is refused; they read it in English.
    outsider_page = roomy(another_page())
    sign_in(outsider_page, outsider.email, PASSWORD)
    outsider_page.select_option("#language-select", "en")
    expect(outsider_page.locator("html")).to_have_attribute("lang", "en")
    outsider_page.goto(page_url("survey_answer", gathering))
    expect(outsider_page.locator("#survey-refusal")).to_contain_text(
        "Only members who attended this gathering can answer its survey."
    )
    screenshot("non-attendee-refused", page=outsider_page)

    # An attendee writes a takeaway, publishes it, and it is on their path.
    page.goto(page_url("gathering_detail", gathering))
    takeaway_publish(
        page, learned=LEARNED, will_apply="다음 캠페인부터 설계서 먼저 쓰기"
    )
    assert page.url.endswith(reverse("member_path", args=[attendees[0].public_id]))
    screenshot("path-with-takeaway")
    visitor.goto(reverse("member_path", args=[attendees[0].public_id]))
    expect(visitor.locator(".path-takeaway")).to_contain_text(LEARNED)
    screenshot("path-seen-by-a-visitor", page=visitor)
