"""The whole product story, end to end, once in Korean and once in English,
the language chosen as a visitor's browser chooses it (its Accept-Language):

a newcomer signs up, confirms their address from the mail the server sent,
picks a nickname and their job role, joins that role's community and posts a
thread; a moderator of the community creates a lottery gathering through the
form and publishes it; the newcomer and 29 other members apply (the others
each as their own signed-in member, over HTTP); the window closes and the
draw runs; the winners confirm, one declines and the member waiting first is
offered the seat and confirms; the join links are released and two attendees
follow theirs to the video link; the gathering goes live and the two chat in
its room, each seeing the other's message; it ends; attendees answer the
survey; after the close the organiser reads the results; and the newcomer
publishes a takeaway on their path.

With 29 seats for 30 applicants, the newcomer always ends up with a seat:
as a winner of the draw, or as the one member waiting, offered the seat that
was declined. Which of the two it is, the draw decides, and the test follows.

The server runs on real time: the gathering's clock is moved in the database
(the window's close, the links' release, the start, the end, the survey's
close) and the next page access applies what fell due. Everything members
and the organiser do goes through the pages, or through HTTP requests as
those members.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from community.demo import DEMO_DOMAIN, DEMO_PASSWORD, seed_demo
from community.models import Board, Community, Member, Membership, Thread
from community.roles import ExperienceBand, JobRole
from community.templatetags.faces import initials
from events import draw as algorithm
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    Gathering,
    GatheringStatus,
    JoinPass,
    SurveyParticipation,
)
from tests.browser.conftest import mail_text
from tests.browser.steps import (
    SEOUL,
    action_button,
    chat_log,
    community_joined,
    composer,
    form_submit,
    gathering_create,
    gathering_publish,
    gathering_schedule_shift,
    in_another_language,
    join_link_release_now,
    join_url_follow,
    my_status,
    profile_complete,
    roomy,
    sign_in,
    sign_up,
    success_message,
    survey_answer,
    survey_close,
    takeaway_publish,
    texts_in_another_language,
    thread_post,
    translated,
    unread_badge,
)
from tests.factories import member_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("transactional_db", "server_password_hashing"),
]

COMMUNITY_SLUG = "performance-marketing"
# Built-in names, shown in the reader's language (community/names.py).
COMMUNITY_NAME = "Performance marketing"
BOARD_NAME = "Job talk"
# seed_demo makes the first demo member moderator of performance-marketing.
ORGANISER_EMAIL = f"member01@{DEMO_DOMAIN}"
PASSWORD = "story-Pass-2026!"
APPLICANTS = 30
SEATS = APPLICANTS - 1
MARKER = "MARKER-STORY"
VIDEO_HOST = "https://zoom.example/"
VIDEO_LINK = f"{VIDEO_HOST}j/{MARKER}"
BOLD = "SKAdNetwork"
# Answers enough for results (the survey's minimum is 5).
CROWD_ANSWERS = 3


@dataclass(frozen=True)
class Story:
    """What the members write, in the language the story is played in."""

    real_name: str
    crowd_name: str
    nickname: str
    thread_title: str
    thread_body: str
    title: str
    description: str
    motivation_prompt: str
    motivation: str
    crowd_motivation: str
    hello: str
    reply: str
    comment: str
    partner_comment: str
    learned: str
    will_apply: str


STORIES = {
    "ko": Story(
        real_name="김모임",
        crowd_name="참가자",
        nickname="새내기마케터",
        thread_title="처음 인사드려요: 앱 캠페인 어트리뷰션 질문",
        thread_body=f"앱 캠페인을 맡은 지 석 달 됐어요. **{BOLD}** 이후 "
        "전환을 어떻게 보고 계신가요?",
        title="퍼포먼스 마케터 온라인 밋업",
        description="한 달에 한 번, 온라인으로 모여 **캠페인 경험**을 나눠요.",
        motivation_prompt="이번 모임에서 어떤 이야기를 나누고 싶으세요?",
        motivation="어트리뷰션을 처음 맡아서 다른 분들 경험을 듣고 싶어요.",
        crowd_motivation="예산 배분 경험을 나누고 싶어요.",
        hello="안녕하세요, 처음 참석했어요!",
        reply="반가워요! 오늘 어트리뷰션 이야기 꼭 해요.",
        comment="다른 회사의 측정 방식을 들을 수 있어서 좋았어요.",
        partner_comment="예산 배분 사례가 현실적이었어요.",
        learned="전환 추적은 매체보다 자사 데이터 기준으로 먼저 맞춘다.",
        will_apply="다음 캠페인부터 측정 계획서를 먼저 쓰기",
    ),
    "en": Story(
        real_name="Alex Kim",
        crowd_name="Member",
        nickname="new_marketer",
        thread_title="Hello from a newcomer: app campaign attribution",
        thread_body="I took over our app campaigns three months ago. How do you "
        f"read conversions since **{BOLD}**?",
        title="Performance marketers meet online",
        description="Once a month we meet online to share **campaign stories**.",
        motivation_prompt="What would you like to talk about?",
        motivation="Attribution is new to me; I want to hear how others do it.",
        crowd_motivation="I would like to compare budget splits.",
        hello="Hello, it is my first gathering!",
        reply="Welcome! Let us talk attribution today.",
        comment="Hearing how other companies measure was the best part.",
        partner_comment="The budget split examples were realistic.",
        learned="Align conversion tracking on first-party data before the ads.",
        will_apply="Write the measurement plan before the next campaign",
    ),
}


def crowd_create(community: Community, language: str, name: str) -> list[Member]:
    """The 29 other applicants: members of the community who signed in
    earlier (they act through their session; no password is needed)."""
    crowd = [
        member_create(
            password=None,
            real_name=f"{name} {number}",
            language=language,
            role=JobRole.PERFORMANCE_MARKETING,
        )
        for number in range(1, APPLICANTS)
    ]
    Membership.objects.bulk_create(
        Membership(community=community, member=member) for member in crowd
    )
    return crowd


# The story in English differs from the Korean one in its language alone,
# which no database or Redis decides: on the PostgreSQL pass the Korean story
# drives the chat through Redis, and the English one runs on the embedded pass.
@pytest.mark.parametrize(
    "browser_locale",
    ["ko-KR", pytest.param("en-US", marks=pytest.mark.once)],
    ids=["ko", "en"],
)
def test_whole_story(
    browser_locale,
    page,
    another_page,
    member_browser,
    page_problems,
    mailbox,
    screenshot,
):
    language = browser_locale.split("-")[0]
    story = STORIES[language]

    def tr(text: str, context: str | None = None) -> str:
        return translated(text, language, context)

    def shows_language(view) -> None:
        expect(view.locator("html")).to_have_attribute("lang", language)

    in_another_language_found: dict[str, list[str]] = {}
    # What members wrote and are called, in whichever language they wrote it.
    written: set[str] = set()

    def shoot(step: str, page=page) -> None:
        """A screenshot of the step, after noting any text of the page (one
        of the site's) that is not in the story's language."""
        if urlsplit(page.url).netloc == page_problems.server_netloc:
            found = texts_in_another_language(page, language, written)
            if found:
                in_another_language_found[step] = found
        screenshot(step, page=page)

    roomy(page)
    seed_demo()
    community = Community.objects.get(slug=COMMUNITY_SLUG)
    crowd = crowd_create(community, language, story.crowd_name)
    # The runs share the server's mailbox: each newcomer has an address.
    newcomer_email = f"newcomer.{language}@example.org"
    written.update(
        text
        for model, fields in [
            (Community, ["name", "description"]),
            (Board, ["name", "description"]),
            (Thread, ["title"]),
            (Member, ["real_name", "nickname"]),
        ]
        for row in model.objects.values_list(*fields)
        for text in row
        if text
    )
    written.update([*vars(story).values(), BOLD])
    # A member without a picture is drawn with the initials of their name.
    written.update(
        initials(name, is_real_name=is_real_name)
        for real_name, nickname in Member.objects.values_list("real_name", "nickname")
        for name, is_real_name in [(real_name, True), (nickname, False)]
        if name
    )
    community_url = reverse("community_detail", args=[COMMUNITY_SLUG])

    # --- 1. The newcomer signs up, confirms the address, picks a nickname.
    page.goto("/")
    shows_language(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        tr("Meet the people who do the same work")
    )
    shoot("home")
    sign_up(
        page,
        mailbox,
        email=newcomer_email,
        real_name=story.real_name,
        password=PASSWORD,
        screenshot=shoot,
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(tr("Welcome to Moim!"))
    newcomer = Member.objects.get(email=newcomer_email)
    # The language the site was shown in is the one mail will use.
    assert newcomer.language == language
    profile_complete(
        page,
        nickname=story.nickname,
        role=JobRole.PERFORMANCE_MARKETING,
        experience=ExperienceBand.JUNIOR,
        screenshot=shoot,
    )
    expect(page.get_by_role("main")).not_to_contain_text(story.real_name)
    shoot("public-profile")

    # --- 2. In the community of that role (the welcome joined them to it),
    # posts a thread.
    page.goto("/")
    community_name = translated(COMMUNITY_NAME, language)
    page.get_by_role("link", name=community_name, exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(community_name)
    community_joined(page, language)
    shoot("community-joined")
    thread_post(
        page,
        board_name=translated(BOARD_NAME, language),
        title=story.thread_title,
        tag="Question",
        body=story.thread_body,
        language=language,
        screenshot=shoot,
    )
    expect(page.locator(".thread .post-body strong")).to_have_text(BOLD)
    expect(page.locator(".thread")).to_contain_text(story.nickname)
    shoot("thread-posted")

    # --- 3. The organiser creates a lottery gathering and publishes it.
    organiser_page = roomy(another_page())
    sign_in(organiser_page, ORGANISER_EMAIL, DEMO_PASSWORD, language)
    organiser_page.goto(community_url)
    now = timezone.now()
    starts = (timezone.localtime(now, SEOUL) + timedelta(days=3)).replace(
        hour=19, minute=0, second=0, microsecond=0
    )
    gathering_create(
        organiser_page,
        title=story.title,
        description=story.description,
        video_link=VIDEO_LINK,
        starts=starts,
        ends=starts + timedelta(hours=2),
        capacity=SEATS,
        opens=now,
        closes=now + timedelta(hours=1),
        motivation_prompt=story.motivation_prompt,
        link_release_hours=24,
        language=language,
        screenshot=lambda step: shoot(step, page=organiser_page),
    )
    gathering = Gathering.objects.get(community=community, title=story.title)
    assert (gathering.capacity, gathering.video_link) == (SEATS, VIDEO_LINK)
    detail_url = reverse("gathering_detail", args=[COMMUNITY_SLUG, gathering.pk])
    manage_url = reverse("gathering_manage", args=[COMMUNITY_SLUG, gathering.pk])
    gathering_publish(organiser_page, language)
    expect(success_message(organiser_page)).to_have_text(
        tr("Published. Applications are open now.")
    )
    shoot("gathering-published", page=organiser_page)

    # --- 4. The newcomer finds it on the community's page and applies.
    page.goto(community_url)
    page.locator(".upcoming-gatherings").get_by_role("link", name=story.title).click()
    expect(page).to_have_url(re.compile(re.escape(detail_url) + "$"))
    apply_form = page.locator("#apply form")
    apply_form.get_by_label(story.motivation_prompt).fill(story.motivation)
    apply_form.locator("button[type=submit]").click()
    expect(success_message(page)).to_have_text(tr("Your application is in."))
    expect(my_status(page)).to_have_text(tr("Applied"))
    shoot("newcomer-applied")

    # --- 5. The 29 others apply, each as themselves, over HTTP.
    browsers = {member.pk: member_browser(member) for member in crowd}
    apply_url = reverse("gathering_apply", args=[COMMUNITY_SLUG, gathering.pk])
    for member in crowd:
        landed = form_submit(
            browsers[member.pk],
            detail_url,
            apply_url,
            {"motivation": story.crowd_motivation},
        )
        assert tr("Your application is in.") in landed
    organiser_page.goto(manage_url)
    expect(organiser_page.locator(".applications-table tbody tr")).to_have_count(
        APPLICANTS
    )
    shoot("thirty-applications", page=organiser_page)

    # --- 6. The window closes: the next page access runs the draw.
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_close_at=timezone.now() - timedelta(seconds=1),
        next_due_at=timezone.now(),
    )
    organiser_page.reload()
    expect(organiser_page.locator(".page-head .badge")).to_have_text(tr("Seats given"))
    shoot("draw-done", page=organiser_page)
    assert algorithm.verify(Draw.objects.get(gathering=gathering).record) == []
    outcome = dict(
        Application.objects.filter(gathering=gathering).values_list(
            "member_id", "status"
        )
    )
    winners = [m for m, s in outcome.items() if s == ApplicationStatus.OFFERED]
    (waiting,) = [m for m, s in outcome.items() if s == ApplicationStatus.WAITLISTED]
    assert len(winners) == SEATS
    newcomer_won = newcomer.pk in winners

    page.reload()
    if newcomer_won:
        expect(my_status(page)).to_have_text(tr("Seat offered"))
    else:
        expect(my_status(page)).to_have_text(tr("Waitlisted"))
        expect(page.locator("#my-application")).to_contain_text(
            tr("number %(position)s") % {"position": 1}
        )
    shoot("newcomer-draw-result")

    # --- 7. Winners confirm; one declines; the member waiting is offered the
    # seat. The newcomer and the member waiting confirm through their pages.
    in_browser = {newcomer.pk, waiting}
    decliner, *confirming = [m for m in winners if m not in in_browser]
    confirm_url = reverse("offer_confirm", args=[COMMUNITY_SLUG, gathering.pk])
    for member_id in confirming:
        landed = form_submit(browsers[member_id], detail_url, confirm_url)
        assert tr("Your seat is confirmed. See you there!") in landed
    landed = form_submit(
        browsers[decliner],
        detail_url,
        reverse("offer_decline", args=[COMMUNITY_SLUG, gathering.pk]),
    )
    assert tr("You declined the seat; it passes to the next member.") in landed

    pages = {newcomer.pk: page}
    if waiting != newcomer.pk:
        pages[waiting] = roomy(browsers[waiting].new_page())
    # The one who was waiting learns of the offer from a notification.
    promoted_page = pages[waiting]
    promoted_page.goto("/")
    expect(unread_badge(promoted_page)).to_be_visible()
    promoted_page.locator("header .nav-notifications").click()
    offer = promoted_page.locator(".notification.is-unread").filter(
        has_text=story.title
    )
    expect(offer.first).to_contain_text(
        re.compile(
            re.escape(
                tr("A seat at ‘%(title)s’ is yours if you confirm by %(deadline)s.")
                % {"title": story.title, "deadline": "DEADLINE"}
            ).replace("DEADLINE", ".+")
        )
    )
    shoot("promoted-notified", page=promoted_page)
    for member_id, view in pages.items():
        view.goto(detail_url)
        expect(my_status(view)).to_have_text(tr("Seat offered"))
        action_button(view, "confirm").click()
        expect(success_message(view)).to_have_text(
            tr("Your seat is confirmed. See you there!")
        )
        expect(my_status(view)).to_have_text(tr("Confirmed"))
        shoot(
            "newcomer-confirmed" if member_id == newcomer.pk else "promoted-confirmed",
            page=view,
        )
    final = Application.objects.filter(gathering=gathering)
    assert final.filter(status=ApplicationStatus.CONFIRMED).count() == SEATS
    assert final.get(member_id=decliner).status == ApplicationStatus.DECLINED

    # --- 8. The join links are released; two attendees follow theirs.
    partner_id = waiting if waiting != newcomer.pk else confirming[0]
    if partner_id not in pages:
        pages[partner_id] = roomy(browsers[partner_id].new_page())
    partner_page = pages[partner_id]
    join_link_release_now(gathering)
    for member_id in (newcomer.pk, partner_id):
        view = pages[member_id]
        view.goto(detail_url)
        expect(view.locator(".join-link a.button")).to_be_visible()
        if member_id == newcomer.pk:
            shoot("join-link-released", page=view)
        redirect = join_url_follow(view, page_problems, VIDEO_LINK, VIDEO_HOST)
        assert redirect.status == 302
        assert redirect.headers["location"] == VIDEO_LINK
        if member_id == newcomer.pk:
            shoot("video-service-reached", page=view)
    assert set(
        JoinPass.objects.filter(
            application__gathering=gathering, use_count=1
        ).values_list("application__member_id", flat=True)
    ) == {newcomer.pk, partner_id}

    # --- 9. The gathering starts: the two chat in its live room.
    gathering.refresh_from_db()
    gathering_schedule_shift(
        gathering, -(gathering.starts_at - timezone.now() + timedelta(minutes=1))
    )
    for view in (page, partner_page):
        view.goto(detail_url)
        expect(composer(view)).to_be_enabled()
    composer(page).fill(story.hello)
    composer(page).press("Enter")
    expect(chat_log(partner_page)).to_contain_text(story.hello)
    composer(partner_page).fill(story.reply)
    partner_page.get_by_role("button", name=tr("Send")).click()
    expect(chat_log(page)).to_contain_text(story.reply)
    expect(chat_log(page)).to_contain_text(story.hello)
    assert Gathering.objects.get(pk=gathering.pk).status == GatheringStatus.LIVE
    shoot("chat-newcomer", page=page)
    shoot("chat-partner", page=partner_page)

    # --- 10. It ends; attendees answer the survey.
    gathering.refresh_from_db()
    gathering_schedule_shift(
        gathering, -(gathering.ends_at - timezone.now() + timedelta(seconds=1))
    )
    page.goto(detail_url)
    expect(page.locator("#survey-answer-link")).to_be_visible()
    shoot("gathering-ended-survey-open")
    survey_answer(
        page, rating=5, comment=story.comment, language=language, screenshot=shoot
    )
    shoot("survey-answered")
    partner_page.goto(detail_url)
    survey_answer(
        partner_page, rating=4, comment=story.partner_comment, language=language
    )
    survey_url = reverse("survey_answer", args=[COMMUNITY_SLUG, gathering.pk])
    for member_id, rating in zip(confirming[-CROWD_ANSWERS:], [4, 3, 4], strict=True):
        landed = form_submit(
            browsers[member_id],
            survey_url,
            fields={"satisfaction": rating, "useful": "", "again": "yes"},
        )
        assert 'id="survey-answered"' in landed
    assert SurveyParticipation.objects.filter(survey__gathering=gathering).count() == (
        2 + CROWD_ANSWERS
    )

    # --- 11. The organiser waits for the close, then reads the results.
    results_url = reverse("survey_results", args=[COMMUNITY_SLUG, gathering.pk])
    organiser_page.goto(results_url)
    expect(organiser_page.locator("#survey-wait")).to_be_visible()
    expect(organiser_page.locator("main")).not_to_contain_text(story.comment)
    shoot("results-while-open", page=organiser_page)
    survey_close(gathering)
    organiser_page.reload()
    expect(
        organiser_page.locator("#result-satisfaction .survey-average")
    ).to_contain_text(tr("Average %(average)s out of 5") % {"average": "4.0"})
    expect(organiser_page.locator("#result-useful")).to_contain_text(story.comment)
    shoot("results-after-close", page=organiser_page)

    # --- 12. The newcomer keeps a takeaway on their path, for everyone.
    page.goto(detail_url)
    takeaway_publish(
        page, learned=story.learned, will_apply=story.will_apply, language=language
    )
    assert page.url.endswith(reverse("member_path", args=[newcomer.public_id]))
    expect(page.locator("main")).to_contain_text(story.title)
    shoot("takeaway-on-path")
    shows_language(page)

    # The newcomer's mail speaks their language too.
    newcomer_mail = [
        message
        for message in mailbox.messages()
        if newcomer_email in str(message["To"])
    ]
    assert len(newcomer_mail) >= 2  # the address's confirmation, and more
    for message in newcomer_mail:
        for part in [str(message["Subject"]), *mail_text(message).splitlines()]:
            if in_another_language(part, language, written):
                in_another_language_found.setdefault("mail", []).append(part)
    assert not in_another_language_found, (
        f"Texts not in {language}: {in_another_language_found}"
    )
    # The video link reached nobody else: not the organiser's results, not
    # the newcomer's path, no mail.
    assert MARKER not in page.content()
    assert not [m for m in mailbox.messages() if MARKER in m.as_string()]
