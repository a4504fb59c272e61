"""Demo gatherings for ``manage.py seed_demo``: one in every state of the
lifecycle, in Korean, made through the events services.

Time is moved with the services' ``now=`` parameters rather than waited for.
The services refuse to create a gathering whose applications have already
closed, so a gathering that should lie in the past is created with its
schedule shifted forward, published, and then moved back in one update
(``_schedule_shift``); everything after that (applications, the draw, offers,
check-in) goes through the services at the past moments it would have
happened.

Idempotent: a gathering is identified by its community and title, and one
that exists is left alone, so a second run changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from community.access import access_for
from community.demo import (
    BANDS,
    COMPANIES,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    GIVEN_NAMES,
    SURNAMES,
)
from community.models import (
    Community,
    DisplayMode,
    Member,
    Membership,
    MembershipRole,
)
from community.roles import JobRole
from community.services.communities import community_join
from events.join_tokens import join_token
from events.models import (
    Application,
    ApplicationStatus,
    Experience,
    Gathering,
    GatheringFormat,
    PathKind,
    PathVisibility,
    SelectionMode,
    Survey,
)
from events.services.applications import application_submit
from events.services.attendance import checkin_record, join_resolve
from events.services.experiences import experience_create
from events.services.followups import followup_answer, followup_round_ask
from events.services.gatherings import (
    gathering_cancel,
    gathering_create,
    gathering_publish,
)
from events.services.lifecycle import gathering_advance
from events.services.messages import message_create
from events.services.offers import offer_confirm, offer_decline
from events.services.path import path_visibility_set, takeaway_save
from events.services.survey_setup import survey_question_add
from events.services.surveys import response_submit

SEOUL = ZoneInfo("Asia/Seoul")

# member41 … member85 join the forum's forty demo members in 퍼포먼스
# 마케팅, so that its open lottery has about sixty applicants.
EXTRA_MEMBERS = range(41, 86)
DEMO_ACCOUNT = f"member01@{DEMO_DOMAIN}"

# Obviously fake meeting links: never a real room.
ZOOM_LINK = "https://zoom.us/j/0000000000?pwd=moim-demo-not-a-real-meeting"
MEET_LINK = "https://meet.google.com/moim-demo-fake"

OPEN_TITLE = "퍼포먼스 마케터끼리 만나요"
DRAWN_TITLE = "GA4 전환 추적, 서로의 설정 같이 봐요"
LIVE_TITLE = "지금 진행 중: 퍼포먼스 마케터 점심 수다"
ENDED_TITLE = "2분기 광고 성과 회고 밋업"
FIRST_COME_TITLE = "브랜드 마케터 커피챗: 캠페인 회고"
CANCELLED_TITLE = "위기 커뮤니케이션 케이스 스터디"
# Past gatherings with surveys: two rated above k (the community's trend),
# and one whose survey is still open for the demo account to answer.
# ENDED_TITLE's survey closed below k.
RATED_TITLE = "크리에이티브 테스트 설계 워크숍"
EARLIER_TITLE = "1분기 매체 믹스 돌아보기"
SURVEY_OPEN_TITLE = "브랜드 캠페인 회고 공유회"
# Held 40 days ago: its follow-up (did the takeaway turn into action?) was
# asked 10 days ago and is open; the demo account kept a takeaway and has
# answered "partly".
FOLLOWUP_TITLE = "브랜드 스토리텔링 스터디"
FOLLOWUP_TAKEAWAYS = [
    "고객의 언어로 쓴 한 문장이 어떤 슬로건보다 오래 남는다.",
    "브랜드 가이드에 '쓰지 않는 말' 목록이 있으면 팀의 글이 한결같아진다.",
    "캠페인 회고는 숫자보다 고객 반응 문장을 모아 보는 데서 시작하면 좋다.",
]
FOLLOWUP_ANSWERS = ["applied", "partly", "applied", "not_yet", "applied", "partly"]

# 18 ratings averaging 4.0; 7 averaging 3.6 (an earlier, rougher session).
RATED_RATINGS = [5] * 6 + [4] * 7 + [3] * 4 + [2]
EARLIER_RATINGS = [4, 4, 3, 4, 3, 4, 3]
USEFUL = [
    "다른 회사의 A/B 테스트 설계 문서를 직접 본 게 가장 도움이 됐어요.",
    "소재 피로도를 판단하는 기준을 숫자로 들을 수 있어서 좋았습니다.",
    "실패한 실험 이야기를 솔직하게 나눠 주셔서 배울 게 많았어요.",
    "샘플 크기 계산법을 바로 써먹을 수 있게 정리해 주셔서 좋았어요.",
    "소규모 예산으로 테스트하는 요령이 현실적이었습니다.",
    "",
]
CHANGE = [
    "질의응답 시간이 조금 더 길었으면 좋겠어요.",
    "사전 자료를 하루 전에 받을 수 있으면 좋겠습니다.",
    "소그룹 토론 시간이 있으면 더 좋을 것 같아요.",
    "",
    "시작 시간이 조금 늦춰지면 참석하기 편할 것 같아요.",
]
NEXT_TOPIC = "다음에 다뤘으면 하는 주제는?"
NEXT_TOPICS = ["측정과 어트리뷰션", "크리에이티브 운영", "예산 배분"]
EARLIER_TAKEAWAYS = [
    (
        "매체별 한계 CPA를 먼저 정해 두면 예산 이동 논의가 짧아진다.",
        "분기 초에 매체별 한계 CPA 표를 팀과 합의하기.",
        PathVisibility.PUBLIC,
    ),
    (
        "검색 광고는 브랜드 키워드를 따로 떼어 봐야 효율이 보인다.",
        "브랜드/일반 키워드 캠페인 분리하기.",
        PathVisibility.COMMUNITY,
    ),
    (
        "작은 매체 테스트는 기간보다 전환 수 기준으로 끝내야 한다.",
        "",
        PathVisibility.PRIVATE,
    ),
]
TAKEAWAYS = [
    (
        "가설 하나에 변수 하나만 바꿔야 결과를 해석할 수 있다는 걸 다시 느꼈다.",
        "다음 달 메타 캠페인부터 소재 테스트 설계서를 먼저 쓰고 시작하기.",
        PathVisibility.PUBLIC,
    ),
    (
        "소재 피로도는 빈도 3회 전후에서 CTR 하락으로 먼저 보인다.",
        "주간 리포트에 빈도별 CTR 표를 추가하기.",
        PathVisibility.COMMUNITY,
    ),
    (
        "실패한 실험도 기록해 두면 팀의 자산이 된다.",
        "",
        PathVisibility.PRIVATE,
    ),
]

MOTIVATION_PROMPT = "이 모임에서 나누고 싶은 이야기를 적어 주세요."
MOTIVATIONS = [
    "iOS 이후 어트리뷰션을 어떻게 보고 계신지 궁금해요.",
    "ROAS 목표를 어떻게 잡는지 다른 회사 이야기를 듣고 싶습니다.",
    "메타 광고 크리에이티브 테스트 방식을 공유하고 싶어요.",
    "혼자 퍼포먼스 마케팅을 맡고 있어서 동료들과 이야기하고 싶어요.",
    "MMM 도입을 검토 중인데 경험담이 궁금합니다.",
    "검색 광고 자동입찰 운영 노하우를 나누고 싶어요.",
    "대시보드 구성과 리포팅 주기를 어떻게 하시는지 궁금해요.",
    "신규 매체 테스트 예산을 어떻게 설득하시는지 듣고 싶습니다.",
]
CHANNELS = ["메타", "구글 애즈", "네이버 검색광고", "카카오모먼트", "틱톡"]


@dataclass
class Schedule:
    opens: datetime
    closes: datetime
    starts: datetime
    ends: datetime

    def fields(self) -> dict:
        return {
            "applications_open_at": self.opens,
            "applications_close_at": self.closes,
            "starts_at": self.starts,
            "ends_at": self.ends,
        }


def seoul_at(now: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """``hour``:``minute`` in Seoul, ``days`` after today's Seoul date."""
    day = timezone.localtime(now, SEOUL).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=SEOUL)


def seed_gatherings(now: datetime | None = None) -> dict[str, int]:
    """The demo gatherings, created once; returns counts."""
    now = now or timezone.now()
    with transaction.atomic():
        extra = _extra_members(now)
        by_slug = Community.objects.in_bulk(
            ["performance-marketing", "brand-marketing", "pr"], field_name="slug"
        )
        marketing = by_slug["performance-marketing"]
        for member in extra:
            access = access_for(member, marketing)
            if access.can_join:
                community_join(access=access)
        # Oldest first: earlier outcomes (losses, no-shows) weigh on later
        # draws in the same community, as they would have.
        _seed_surveyed(
            marketing, now, EARLIER_TITLE, days_ago=45, ratings=EARLIER_RATINGS
        )
        _seed_surveyed(marketing, now, RATED_TITLE, days_ago=28, ratings=RATED_RATINGS)
        _seed_ended(marketing, now)
        # In a community where the demo account is a plain member: organisers
        # (the demo account moderates 퍼포먼스 마케팅) do not answer surveys.
        _seed_survey_open(by_slug["brand-marketing"], now)
        _seed_followup(by_slug["brand-marketing"], now)
        _seed_drawn(marketing, now)
        _seed_live(marketing, now)
        _seed_open_lottery(marketing, now)
        _seed_messages(marketing, now)
        _seed_first_come(by_slug["brand-marketing"], now)
        _seed_cancelled(by_slug["pr"], now)
        _seed_experiences(now)
        titles = [
            OPEN_TITLE,
            DRAWN_TITLE,
            LIVE_TITLE,
            ENDED_TITLE,
            RATED_TITLE,
            EARLIER_TITLE,
            SURVEY_OPEN_TITLE,
            FOLLOWUP_TITLE,
            FIRST_COME_TITLE,
            CANCELLED_TITLE,
        ]
        gatherings = Gathering.objects.filter(title__in=titles)
        return {
            "gatherings": gatherings.count(),
            "applications": Application.objects.filter(
                gathering__in=gatherings
            ).count(),
        }


# --- Building blocks ---------------------------------------------------------


def _extra_members(now: datetime) -> list[Member]:
    """Performance marketers who sign in like the forum's demo members (same
    password, verified address). They go by their real names: the forum's
    nicknames are all taken."""
    emails = [f"member{n:02d}@{DEMO_DOMAIN}" for n in EXTRA_MEMBERS]
    existing = set(
        Member.objects.filter(email__in=emails).values_list("email", flat=True)
    )
    missing = [
        (n, email)
        for n, email in zip(EXTRA_MEMBERS, emails, strict=True)
        if email not in existing
    ]
    if missing:
        password = make_password(DEMO_PASSWORD)
        Member.objects.bulk_create(
            Member(
                email=email,
                password=password,
                real_name=SURNAMES[n * 3 % len(SURNAMES)]
                + GIVEN_NAMES[n * 11 % len(GIVEN_NAMES)],
                display_mode=DisplayMode.REAL_NAME,
                role=JobRole.PERFORMANCE_MARKETING,
                experience=BANDS[n % len(BANDS)],
                company=COMPANIES[n % len(COMPANIES)],
                show_company=n % 2 == 0,
                date_joined=now - timedelta(days=30 + n % 20),
            )
            for n, email in missing
        )
    members = list(Member.objects.filter(email__in=emails).order_by("email"))
    verified = set(
        EmailAddress.objects.filter(user__in=members).values_list("email", flat=True)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True)
        for m in members
        if m.email not in verified
    )
    return members


def _exists(community: Community, title: str) -> bool:
    return Gathering.objects.filter(community=community, title=title).exists()


def _organiser(community: Community) -> Member:
    """The community's owner hosts its demo gatherings."""
    return (
        Membership.objects.filter(community=community, role=MembershipRole.OWNER)
        .select_related("member")
        .order_by("pk")[0]
        .member
    )


def _applicants(community: Community, exclude: list[Member]) -> list[Member]:
    """Plain demo members of ``community`` (never the demo account, which a
    visitor should find free to apply), in a stable order."""
    skip = {m.pk for m in exclude}
    return [
        m
        for m in Member.objects.filter(
            memberships__community=community,
            memberships__role=MembershipRole.MEMBER,
            email__endswith=f"@{DEMO_DOMAIN}",
        )
        .exclude(email=DEMO_ACCOUNT)
        .order_by("email")
        if m.pk not in skip
    ]


def _create(
    community: Community, host: Member, schedule: Schedule, now: datetime, **fields
) -> Gathering:
    """Create and publish. A schedule whose applications closed before
    ``now`` is created shifted forward (the services accept only a future
    close) and moved back afterwards."""
    shift = max(timedelta(0), now + timedelta(hours=1) - schedule.closes)
    shifted = Schedule(*(t + shift for t in vars(schedule).values()))
    gathering = gathering_create(
        community=community, created_by=host, **shifted.fields(), **fields
    )
    gathering = gathering_publish(gathering=gathering)
    if shift:
        _schedule_shift(gathering, schedule)
    return gathering


def _schedule_shift(gathering: Gathering, schedule: Schedule) -> None:
    """Put a published gathering's schedule back where it belongs; the
    lifecycle then catches up from whatever ``now`` it is advanced with."""
    Gathering.objects.filter(pk=gathering.pk).update(
        **schedule.fields(),
        created_at=schedule.opens - timedelta(days=1),
        published_at=schedule.opens - timedelta(hours=1),
        next_due_at=schedule.closes,
    )
    gathering.refresh_from_db()


def _apply_all(
    gathering: Gathering, members: list[Member], first: datetime, step: timedelta
) -> None:
    for i, member in enumerate(members):
        application_submit(
            member=member,
            gathering=gathering,
            motivation=MOTIVATIONS[i % len(MOTIVATIONS)]
            if gathering.motivation_prompt
            else "",
            answers=[CHANNELS[i % len(CHANNELS)]] if gathering.questions else [],
            now=first + step * i,
        )


def _by_status(gathering: Gathering, status: str) -> list[Application]:
    return list(
        Application.objects.filter(gathering=gathering, status=status)
        .select_related("member")
        .order_by("rank", "pk")
    )


# --- One gathering per state -------------------------------------------------


def _seed_open_lottery(community: Community, now: datetime) -> None:
    """Open for applications: about sixty applicants for twenty seats; the
    demo account has not applied."""
    if _exists(community, OPEN_TITLE):
        return
    host = _organiser(community)
    starts = seoul_at(now, 7, 19)
    schedule = Schedule(
        opens=now - timedelta(days=2),
        closes=seoul_at(now, 5, 23, 59),
        starts=starts,
        ends=starts + timedelta(hours=2),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=OPEN_TITLE,
        description=(
            "퍼포먼스 마케터들이 모여 요즘 고민을 나누는 온라인 밋업입니다.\n\n"
            "- 어트리뷰션과 측정, 요즘 어떻게 하세요?\n"
            "- 매체별 예산 배분과 크리에이티브 테스트\n"
            "- 자유 네트워킹\n\n"
            "자리는 **추첨**으로 정하고, 당첨되신 분께만 참여 링크를 드려요."
        ),
        format=GatheringFormat.ONLINE,
        video_link=ZOOM_LINK,
        capacity=20,
        selection_mode=SelectionMode.LOTTERY,
        motivation_prompt=MOTIVATION_PROMPT,
        questions=["주로 운영하는 매체는 무엇인가요?"],
    )
    applicants = _applicants(community, exclude=[host])
    span = now - schedule.opens - timedelta(minutes=5)
    _apply_all(gathering, applicants, schedule.opens, span / len(applicants))


def _seed_drawn(community: Community, now: datetime) -> None:
    """Drawn a day ago: confirmed, offered, declined and waitlisted members;
    the demo account holds a confirmed seat and its link is released."""
    if _exists(community, DRAWN_TITLE):
        return
    # One gathering, one seed committed at its creation, one draw: never a
    # second attempt. The demo account takes its chance like everyone; it
    # ends up holding a seat because enough winners decline afterwards
    # (seat movements, which pass seats down the waitlist in drawn order),
    # not because a draw it lost was thrown away.
    gathering = _drawn_gathering(community, now)
    _drawn_outcomes(gathering, now)


def _drawn_gathering(community: Community, now: datetime) -> Gathering:
    host = _organiser(community)
    starts = seoul_at(now, 2, 19)
    schedule = Schedule(
        opens=now - timedelta(days=6),
        closes=now - timedelta(days=1),
        starts=starts,
        ends=starts + timedelta(hours=2),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=DRAWN_TITLE,
        description=(
            "각자 GA4 전환 설정을 화면 공유로 보여 주고 서로 피드백하는 "
            "소규모 세션입니다. 추첨은 끝났고, 확정된 분께 참여 링크가 열려 "
            "있어요."
        ),
        format=GatheringFormat.ONLINE,
        video_link=ZOOM_LINK,
        capacity=8,
        selection_mode=SelectionMode.LOTTERY,
        # Long enough that some offers are still pending after the seed.
        claim_window=timedelta(hours=48),
        # Released already, so the demo account sees its join link now.
        link_release_before=timedelta(days=4),
    )
    demo = Member.objects.get(email=DEMO_ACCOUNT)
    applicants = [demo, *_applicants(community, exclude=[host])[:15]]
    _apply_all(gathering, applicants, schedule.opens, timedelta(hours=5))
    # The draw at close, as the lifecycle job would have run it.
    return gathering_advance(
        gathering_id=gathering.pk, now=schedule.closes + timedelta(minutes=1)
    )


def _drawn_outcomes(gathering: Gathering, now: datetime) -> None:
    """After the draw: winners decline, at least two and as many as it takes
    for the demo account's turn on the waitlist to come (each seat passes to
    the next in drawn order); the demo account and all but two of the other
    offers confirm."""
    drawn_at = gathering.applications_close_at + timedelta(minutes=1)
    demo = Application.objects.get(gathering=gathering, member__email=DEMO_ACCOUNT)
    declines = 2
    if demo.status == ApplicationStatus.WAITLISTED:
        declines = max(declines, demo.waitlist_position)
    winners = _by_status(gathering, ApplicationStatus.OFFERED)
    decliners = [a for a in winners if a.member.email != DEMO_ACCOUNT][-declines:]
    for i, application in enumerate(decliners):
        offer_decline(
            member=application.member,
            gathering=gathering,
            now=drawn_at + timedelta(hours=2, minutes=10 * i),
        )
    offered = [
        a
        for a in _by_status(gathering, ApplicationStatus.OFFERED)
        if a.member.email != DEMO_ACCOUNT
    ]
    offer_confirm(
        member=demo.member, gathering=gathering, now=drawn_at + timedelta(hours=4)
    )
    for i, application in enumerate(offered[:-2]):
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=drawn_at + timedelta(hours=4, minutes=20 * (i + 1)),
        )
    gathering_advance(gathering_id=gathering.pk, now=now)


def _seed_ended(community: Community, now: datetime) -> None:
    """Two weeks ago: drawn, confirmed, held, attendance recorded with two
    no-shows; those still waiting were not selected."""
    if _exists(community, ENDED_TITLE):
        return
    host = _organiser(community)
    starts = seoul_at(now, -14, 19)
    schedule = Schedule(
        opens=starts - timedelta(days=7),
        closes=starts - timedelta(days=2),
        starts=starts,
        ends=starts + timedelta(hours=2),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=ENDED_TITLE,
        description="2분기 캠페인 성과를 숫자로 돌아보고 3분기 계획을 나눴어요.",
        format=GatheringFormat.ONLINE,
        video_link=ZOOM_LINK,
        capacity=12,
        selection_mode=SelectionMode.LOTTERY,
    )
    applicants = _applicants(community, exclude=[host])[5:23]
    _apply_all(gathering, applicants, schedule.opens, timedelta(hours=4))
    drawn_at = schedule.closes + timedelta(minutes=1)
    gathering_advance(gathering_id=gathering.pk, now=drawn_at)
    winners = _by_status(gathering, ApplicationStatus.OFFERED)
    offer_decline(
        member=winners[-1].member,
        gathering=gathering,
        now=drawn_at + timedelta(hours=1),
    )
    for i, application in enumerate(_by_status(gathering, ApplicationStatus.OFFERED)):
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=drawn_at + timedelta(hours=2, minutes=15 * i),
        )
    attendees = _by_status(gathering, ApplicationStatus.CONFIRMED)
    no_shows = {a.pk for a in attendees[-2:]}
    # Those who came used their personal join URL: the evidence check-in
    # is pre-filled from.
    for application in attendees:
        if application.pk not in no_shows:
            join_resolve(
                token=_token(application),
                member=application.member,
                now=schedule.starts + timedelta(minutes=2),
            )
    gathering_advance(gathering_id=gathering.pk, now=schedule.ends + timedelta(hours=1))
    checkin_record(
        gathering=gathering,
        attended={a.pk: a.pk not in no_shows for a in attendees},
    )
    # Three of the ten attendees answered: below k (5), so its results stay
    # hidden ("not enough responses").
    came = [a.member for a in attendees if a.pk not in no_shows]
    _answer(gathering, came[:3], [4, 3, 5], schedule.ends + timedelta(hours=3))
    gathering_advance(gathering_id=gathering.pk, now=now)


def _held(
    community: Community,
    now: datetime,
    *,
    title: str,
    starts: datetime,
    capacity: int,
    applicants: list[Member],
    description: str,
    question: bool = False,
) -> tuple[Gathering, Schedule]:
    """A lottery gathering held at ``starts``: every winner confirmed (the
    capacity is the number of applicants), the survey opened at the end."""
    host = _organiser(community)
    schedule = Schedule(
        opens=starts - timedelta(days=7),
        closes=starts - timedelta(days=2),
        starts=starts,
        ends=starts + timedelta(hours=2),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=title,
        description=description,
        format=GatheringFormat.ONLINE,
        video_link=ZOOM_LINK,
        capacity=capacity,
        selection_mode=SelectionMode.LOTTERY,
    )
    if question:
        survey_question_add(
            gathering=gathering, kind="choice", label=NEXT_TOPIC, choices=NEXT_TOPICS
        )
    _apply_all(gathering, applicants, schedule.opens, timedelta(hours=3))
    drawn_at = schedule.closes + timedelta(minutes=1)
    gathering_advance(gathering_id=gathering.pk, now=drawn_at)
    for i, application in enumerate(_by_status(gathering, ApplicationStatus.OFFERED)):
        offer_confirm(
            member=application.member,
            gathering=gathering,
            now=drawn_at + timedelta(hours=1, minutes=10 * i),
        )
    gathering = gathering_advance(gathering_id=gathering.pk, now=schedule.ends)
    return gathering, schedule


def _answer(
    gathering: Gathering, members: list[Member], ratings: list[int], at: datetime
) -> None:
    """Each member answers the survey (through the service, sealed like any
    other response)."""
    has_question = bool(Survey.objects.get(gathering=gathering).questions)
    for i, (member, rating) in enumerate(zip(members, ratings, strict=False)):
        answers = {
            "satisfaction": rating,
            "useful": USEFUL[i % len(USEFUL)],
            "change": CHANGE[i % len(CHANGE)],
            "again": "yes" if rating >= 3 else "no",
        }
        if has_question:
            answers["q1"] = i % len(NEXT_TOPICS)
        response_submit(
            member=member,
            gathering=gathering,
            answers=answers,
            now=at + timedelta(minutes=37 * i),
        )


def _seed_surveyed(
    community: Community,
    now: datetime,
    title: str,
    *,
    days_ago: int,
    ratings: list[int],
) -> None:
    """A gathering ``days_ago`` days back whose survey closed with
    ``ratings``; the first attendees keep takeaways on their paths and show
    the gathering publicly."""
    if _exists(community, title):
        return
    # The same regulars come every time, so a few paths grow rich.
    applicants = _applicants(community, exclude=[_organiser(community)])[
        : len(ratings) + 2
    ]
    gathering, schedule = _held(
        community,
        now,
        title=title,
        starts=seoul_at(now, -days_ago, 19),
        capacity=len(applicants),
        applicants=applicants,
        description=(
            "소재 테스트를 설계하고 결과를 읽는 법을 사례 중심으로 나눴어요."
            if title == RATED_TITLE
            else "1분기 매체별 성과와 예산 배분을 함께 돌아봤어요."
        ),
        question=title == RATED_TITLE,
    )
    attendees = [a.member for a in _by_status(gathering, ApplicationStatus.CONFIRMED)]
    _answer(gathering, attendees, ratings, schedule.ends + timedelta(hours=1))
    _takeaways(gathering, applicants[:3], schedule.ends + timedelta(days=1))
    gathering_advance(gathering_id=gathering.pk, now=now)


def _takeaways(gathering: Gathering, members: list[Member], at: datetime) -> None:
    texts = TAKEAWAYS if gathering.title == RATED_TITLE else EARLIER_TAKEAWAYS
    for member, (learned, will_apply, visibility) in zip(members, texts, strict=False):
        takeaway_save(
            member=member,
            gathering=gathering,
            learned=learned,
            will_apply=will_apply,
            visibility=visibility,
            now=at,
        )
        path_visibility_set(
            member=member,
            kind=PathKind.ATTENDED,
            object_id=gathering.pk,
            visibility=PathVisibility.PUBLIC,
        )


# The demo account's own experiences (events.services.experiences): two on
# its public path, one kept private. Korean words only: the pages' language
# checks allow no stray Latin.
EXPERIENCES = (
    {
        "kind": "job",
        "title": "퍼포먼스 마케터",
        "organisation": "모임랩",
        "months_ago": 20,
        "ended_months_ago": None,
        "learned": "예산을 작게 나눠 실험하고, 결과가 나온 채널에만 키웠어요.",
        "skills": ["performance-ads", "marketing-analytics", "experimentation"],
        "tags": "리텐션, 예산 배분",
        "visibility": "public",
    },
    {
        "kind": "talk",
        "title": "광고 성과 측정, 어디까지 믿을까",
        "organisation": "마케팅 컨퍼런스",
        "months_ago": 6,
        "ended_months_ago": 6,
        "learned": "숫자보다 가정을 먼저 설명해야 청중이 따라와요.",
        "skills": ["marketing-analytics", "data-visualisation"],
        "tags": "발표",
        "visibility": "public",
    },
    {
        "kind": "programme",
        "title": "데이터 분석 입문 과정",
        "organisation": "",
        "months_ago": 40,
        "ended_months_ago": 37,
        "learned": "쿼리를 직접 짜니 리포트를 기다리지 않게 됐어요.",
        "skills": ["data-analysis", "databases"],
        "tags": "",
        "visibility": "private",
    },
)


def _month_ago(now: datetime, months: int):
    today = timezone.localdate(now).replace(day=1)
    index = today.year * 12 + today.month - 1 - months
    return today.replace(year=index // 12, month=index % 12 + 1)


def _seed_experiences(now: datetime) -> None:
    member = Member.objects.get(email=DEMO_ACCOUNT)
    if Experience.objects.filter(member=member).exists():
        return
    for spec in EXPERIENCES:
        values = dict(spec)
        started = _month_ago(now, values.pop("months_ago"))
        ended = values.pop("ended_months_ago")
        experience_create(
            member=member,
            started_on=started,
            ended_on=None if ended is None else _month_ago(now, ended),
            now=now,
            **values,
        )


def _seed_survey_open(community: Community, now: datetime) -> None:
    """Ended yesterday: its survey is open, four attendees answered, and the
    demo account attended and has not answered yet (as a plain member of
    ``community``: an organiser would not be asked)."""
    if _exists(community, SURVEY_OPEN_TITLE):
        return
    demo = Member.objects.get(email=DEMO_ACCOUNT)
    applicants = _applicants(community, exclude=[_organiser(community)])[:9]
    gathering, schedule = _held(
        community,
        now,
        title=SURVEY_OPEN_TITLE,
        starts=seoul_at(now, -1, 19),
        capacity=len(applicants) + 1,
        applicants=[*applicants, demo],
        description="올해 브랜드 캠페인에서 잘된 점과 아쉬운 점을 나누는 자리였어요.",
    )
    confirmed = _by_status(gathering, ApplicationStatus.CONFIRMED)
    # The organisers checked everyone in: the demo account may issue itself
    # a credential of it (events.services.credentials).
    checkin_record(gathering=gathering, attended={a.pk: True for a in confirmed})
    attendees = [a.member for a in confirmed if a.member_id != demo.pk]
    _answer(gathering, attendees[:4], [4, 5, 4, 3], schedule.ends + timedelta(hours=1))
    gathering_advance(gathering_id=gathering.pk, now=now)


def _seed_followup(community: Community, now: datetime) -> None:
    """Held 40 days ago in ``community`` (where the demo account is a plain
    member): every attendee kept a takeaway, the follow-up was asked 10 days
    ago through the service, and most have answered; the demo account
    answered "partly" and may still change it."""
    if _exists(community, FOLLOWUP_TITLE):
        return
    demo = Member.objects.get(email=DEMO_ACCOUNT)
    applicants = _applicants(community, exclude=[_organiser(community), demo])[:7]
    gathering, schedule = _held(
        community,
        now,
        title=FOLLOWUP_TITLE,
        starts=seoul_at(now, -40, 19),
        capacity=len(applicants) + 1,
        applicants=[*applicants, demo],
        description="브랜드 이야기를 고객의 말로 풀어 쓰는 연습을 함께 했어요.",
    )
    attendees = [a.member for a in _by_status(gathering, ApplicationStatus.CONFIRMED)]
    for i, member in enumerate(attendees):
        learned = FOLLOWUP_TAKEAWAYS[i % len(FOLLOWUP_TAKEAWAYS)]
        takeaway_save(
            member=member,
            gathering=gathering,
            learned=learned,
            will_apply="다음 캠페인 기획서 첫 장에 고객 인용문 세 개를 넣기.",
            visibility=PathVisibility.COMMUNITY
            if member == demo
            else PathVisibility.PRIVATE,
            now=schedule.ends + timedelta(days=1),
        )
    gathering = gathering_advance(gathering_id=gathering.pk, now=now)
    asked_at = schedule.ends + timedelta(days=settings.MOIM_FOLLOWUP_AFTER_DAYS)
    followup_round_ask(gathering_id=gathering.pk, now=asked_at)
    others = [m for m in attendees if m != demo]
    answering = [(demo, "partly"), *zip(others, FOLLOWUP_ANSWERS, strict=False)]
    for i, (member, answer) in enumerate(answering):
        followup_answer(
            access=access_for(member, community),
            gathering=gathering,
            answer=answer,
            note="기획서 양식에 고객 인용문 칸을 만들었어요." if member == demo else "",
            now=asked_at + timedelta(hours=5 + 7 * i),
        )


def _token(application: Application) -> str:
    application.refresh_from_db()
    return join_token(application.join_pass)


def _seed_live(community: Community, now: datetime) -> None:
    """Started ten minutes ago (first come, first served): its chat room is
    live, for its attendees and for the demo account, a moderator of the
    community and so one of its organisers. Once the real clock passes its
    end, its room is an archive like any other."""
    if _exists(community, LIVE_TITLE):
        return
    host = _organiser(community)
    starts = now - timedelta(minutes=10)
    schedule = Schedule(
        opens=now - timedelta(days=3),
        closes=now - timedelta(days=1),
        starts=starts,
        ends=starts + timedelta(hours=2),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=LIVE_TITLE,
        description=(
            "점심시간에 가볍게 모여 요즘 캠페인 이야기를 나눠요. 채팅방에서도 "
            "질문을 받아요."
        ),
        format=GatheringFormat.ONLINE,
        video_link=ZOOM_LINK,
        capacity=10,
        selection_mode=SelectionMode.FIRST_COME,
    )
    applicants = _applicants(community, exclude=[host])[:6]
    _apply_all(gathering, applicants, schedule.opens, timedelta(hours=3))
    gathering_advance(gathering_id=gathering.pk, now=now)


def _seed_first_come(community: Community, now: datetime) -> None:
    """First come, first served, open, offline: five seats of eight taken."""
    if _exists(community, FIRST_COME_TITLE):
        return
    host = _organiser(community)
    starts = seoul_at(now, 6, 19, 30)
    schedule = Schedule(
        opens=now - timedelta(days=1),
        closes=seoul_at(now, 5, 18),
        starts=starts,
        ends=starts + timedelta(hours=2),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=FIRST_COME_TITLE,
        description=(
            "상반기 캠페인을 돌아보는 오프라인 커피챗이에요. 선착순 8명, "
            "신청하면 바로 확정됩니다."
        ),
        format=GatheringFormat.OFFLINE,
        venue="서울 성동구 성수동 (데모용 가상 장소)",
        capacity=8,
        selection_mode=SelectionMode.FIRST_COME,
    )
    # The demo account co-hosts it, so that check-in at the door (a gathering
    # at a venue) can be tried with it.
    gathering.hosts.add(Member.objects.get(email=DEMO_ACCOUNT))
    applicants = _applicants(community, exclude=[host])[:5]
    _apply_all(gathering, applicants, schedule.opens, timedelta(hours=2))


def _seed_cancelled(community: Community, now: datetime) -> None:
    """Cancelled by its host after a few applications."""
    if _exists(community, CANCELLED_TITLE):
        return
    host = _organiser(community)
    starts = seoul_at(now, 4, 19)
    schedule = Schedule(
        opens=now - timedelta(days=3),
        closes=seoul_at(now, 3, 12),
        starts=starts,
        ends=starts + timedelta(hours=1, minutes=30),
    )
    gathering = _create(
        community,
        host,
        schedule,
        now,
        title=CANCELLED_TITLE,
        description="실제 위기 대응 사례를 함께 읽고 토론하는 온라인 스터디입니다.",
        format=GatheringFormat.ONLINE,
        video_link=MEET_LINK,
        capacity=15,
        selection_mode=SelectionMode.LOTTERY,
    )
    applicants = _applicants(community, exclude=[host])[:6]
    _apply_all(gathering, applicants, schedule.opens, timedelta(hours=5))
    gathering_cancel(
        gathering=gathering,
        reason="연사 일정이 바뀌어 이번 모임은 취소합니다. 다음 달에 다시 열게요.",
    )


def _seed_messages(community: Community, now: datetime) -> None:
    """The host's messages to applicants: one sent to everyone who applied
    to the open gathering, one scheduled for tomorrow to the drawn
    gathering's confirmed attendees."""
    opened = Gathering.objects.get(community=community, title=OPEN_TITLE)
    if opened.messages.exists():
        return
    drawn = Gathering.objects.get(community=community, title=DRAWN_TITLE)
    access = access_for(_organiser(community), community)
    message_create(
        access=access,
        gathering=opened,
        segment="all",
        subject="추첨 전에 알려 드려요",
        body=(
            "신청해 주셔서 고마워요! 추첨은 신청 마감 직후에 자동으로 진행돼요.\n\n"
            "- 결과는 알림과 이메일로 알려 드려요\n"
            "- 당첨되면 **48시간 안에** 참가를 확정해 주세요\n\n"
            "궁금한 점은 [커뮤니티 게시판](/c/performance-marketing/)에 남겨 주세요."
        ),
        now=now,
    )
    message_create(
        access=access,
        gathering=drawn,
        segment="confirmed",
        subject="내일 화면 공유 준비해 주세요",
        body="각자 GA4 전환 설정 화면을 미리 열어 두면 시간을 아낄 수 있어요.",
        send_at=now + timedelta(days=1),
        now=now,
    )
