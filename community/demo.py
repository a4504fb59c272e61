"""Demo data for a first run: Korean role communities, members, boards,
memberships, and threads with comments, reactions and helpful answers.

Kept apart from the management command so tests and later issues can build on
it. Every function is idempotent: running it again changes nothing.
"""

import math
import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from community import legal
from community.demo_content import THREADS, C, T
from community.models import (
    Board,
    Comment,
    Community,
    ConsentSource,
    DisplayMode,
    Member,
    Membership,
    MembershipRole,
    Notification,
    NotificationKind,
    Reaction,
    ReactionKind,
    Thread,
    ThreadTag,
    Visibility,
)
from community.roles import ROLE_FAMILY, ExperienceBand, JobRole
from community.services.communities import DEFAULT_BOARDS, community_create
from community.services.consents import (
    consent_required_agree,
    consents_signup_record,
)

# The services' Markdown-and-mentions rendering, reused so that seeded posts
# look exactly like posted ones.
from community.services.threads import HOT_EPOCH, HOT_HALF_DAY, _render

DEMO_PASSWORD = "moim-demo-2026"
DEMO_DOMAIN = "demo.moim.kr"

COMMUNITIES = [
    (
        "performance-marketing",
        "퍼포먼스 마케팅",
        JobRole.PERFORMANCE_MARKETING,
        "광고 효율, 어트리뷰션, 매체 운영까지. 숫자로 말하는 마케터들의 공간입니다.",
        False,
    ),
    (
        "brand-marketing",
        "브랜드 마케팅",
        JobRole.BRAND_MARKETING,
        "브랜드 전략과 캠페인, 콘텐츠 기획을 이야기해요.",
        False,
    ),
    (
        "pr",
        "홍보·PR",
        JobRole.PR,
        "언론 홍보, 위기 대응, 사내 커뮤니케이션 실무자 모임.",
        False,
    ),
    (
        "hr",
        "HR·인사",
        JobRole.HR,
        "평가, 보상, 조직문화까지. 실명으로 나누는 인사 담당자들의 고민.",
        True,
    ),
    (
        "recruiting",
        "채용 담당자",
        JobRole.RECRUITING,
        "채용 브랜딩, 소싱, 면접 설계 노하우를 공유합니다.",
        False,
    ),
    (
        "backend-development",
        "백엔드 개발",
        JobRole.BACKEND,
        "서버, 데이터베이스, 인프라. 장애 회고와 설계 고민을 나눠요.",
        False,
    ),
    (
        "frontend-development",
        "프론트엔드 개발",
        JobRole.FRONTEND,
        "웹 프론트엔드, 접근성, 성능 최적화 이야기.",
        False,
    ),
    (
        "data-analysis",
        "데이터 분석",
        JobRole.DATA,
        "지표 설계, 실험, 대시보드. 데이터로 일하는 사람들.",
        False,
    ),
    (
        "product-management",
        "프로덕트 매니지먼트",
        JobRole.PRODUCT,
        "로드맵, 우선순위, 사용자 인터뷰를 고민하는 PM·PO 모임.",
        False,
    ),
]

SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN_NAMES = [
    "민준",
    "서연",
    "지호",
    "하은",
    "도윤",
    "수아",
    "예준",
    "지유",
    "시우",
    "서윤",
    "주원",
    "하린",
    "지후",
    "채원",
    "준서",
    "지민",
    "현우",
    "다은",
    "건우",
    "소율",
]
NICKNAMES = [
    "광고요정",
    "ROAS장인",
    "전환율덕후",
    "새벽배포",
    "쿼리튜너",
    "채용마스터",
    "조직문화러",
    "브랜드로그",
    "데이터탐정",
    "PM일기",
    "픽셀장인",
    "홍보왕",
    "야근없는개발",
    "캠페인러",
    "인사이트헌터",
    "리텐션연구소",
    "그로스해커",
    "보상설계자",
    "면접관K",
    "API장인",
]
ROLES = list(JobRole)
BANDS = list(ExperienceBand)
COMPANIES = ["리멤버랩", "모임컴퍼니", "한빛커머스", "누리소프트", "바다물산", ""]


# Short, generic comments that fit under any thread but a promotion: a forum
# where every post has only its scripted answers looks staged.
GENERIC_COMMENTS = [
    "좋은 글 감사합니다. 저장해 둘게요!",
    "저도 딱 같은 고민 중이었어요.",
    "팀 채널에 공유했습니다 👍",
    "정리해 주셔서 감사해요. 많이 배워 갑니다.",
    "이런 이야기는 회사 안에서는 듣기 어려워서 더 반갑네요.",
    "경험담이 제일 도움이 되는 것 같아요.",
]


def _plan_memberships(count: int) -> dict[str, dict[int, str]]:
    """Who joins which community, by member index: everyone joins 2–4
    communities, their own role's first, then its role family's; in each
    community the first member of its role moderates and the second owns it.
    Decided from the index, not from the current profile, so a demo member
    who changed their role does not move the plan."""
    slugs = [slug for slug, *_ in COMMUNITIES]
    role_of = {slug: role for slug, _name, role, *_ in COMMUNITIES}
    plan: dict[str, dict[int, str]] = {slug: {} for slug in slugs}
    for i in range(count):
        role = ROLES[i % len(ROLES)]
        family = ROLE_FAMILY[role]
        own = [s for s in slugs if role_of[s] == role]
        near = [s for s in slugs if ROLE_FAMILY[role_of[s]] == family]
        rest = [slugs[(i * 4 + j) % len(slugs)] for j in range(len(slugs))]
        chosen: list[str] = []
        for slug in own + near + rest:
            if slug not in chosen:
                chosen.append(slug)
        for slug in chosen[: 2 + i % 3]:
            plan[slug][i] = MembershipRole.MEMBER
    for slug in slugs:
        matching = [i for i in range(count) if ROLES[i % len(ROLES)] == role_of[slug]]
        plan[slug][matching[0]] = MembershipRole.MODERATOR
        plan[slug][matching[1]] = MembershipRole.OWNER
    return plan


def seed_members(count: int = 40) -> list[Member]:
    emails = [f"member{i + 1:02d}@{DEMO_DOMAIN}" for i in range(count)]
    existing = {m.email: m for m in Member.objects.filter(email__in=emails)}
    missing = [(i, e) for i, e in enumerate(emails) if e not in existing]
    if missing:
        now = timezone.now()
        # Hashed once for all: the hasher is slow by design, and every demo
        # account shares the documented password anyway.
        password = make_password(DEMO_PASSWORD)
        new = []
        for i, email in missing:
            # Every other member goes by a nickname, chosen long enough ago
            # that it could change again.
            nickname = NICKNAMES[(i // 2) % len(NICKNAMES)] if i % 2 == 0 else ""
            new.append(
                Member(
                    email=email,
                    password=password,
                    real_name=SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i * 7) % 20],
                    nickname=nickname,
                    nickname_key=nickname.casefold() or None,
                    nickname_changed_at=now - timedelta(days=120) if nickname else None,
                    display_mode=DisplayMode.NICKNAME
                    if nickname
                    else DisplayMode.REAL_NAME,
                    role=ROLES[i % len(ROLES)],
                    experience=BANDS[i % len(BANDS)],
                    company=COMPANIES[i % len(COMPANIES)],
                    show_company=i % 3 == 0,
                    date_joined=now - timedelta(days=60 - i),
                )
            )
        for member in Member.objects.bulk_create(new):
            existing[member.email] = member
    members = [existing[email] for email in emails]
    verified = set(
        EmailAddress.objects.filter(user__in=members).values_list("email", flat=True)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=m, email=m.email, verified=True, primary=True)
        for m in members
        if m.email not in verified
    )
    return members


def seed_communities(
    members: list[Member], plan: dict[str, dict[int, str]]
) -> list[Community]:
    """The demo communities, each with the default boards. New ones go
    through community_create; ones an earlier seed made without boards get
    the boards that are missing."""
    by_slug = {
        c.slug: c
        for c in Community.objects.filter(slug__in=[s for s, *_ in COMMUNITIES])
    }
    for slug, name, role, description, real_names in COMMUNITIES:
        if slug in by_slug:
            continue
        owner = next(i for i, r in plan[slug].items() if r == MembershipRole.OWNER)
        by_slug[slug] = community_create(
            name=name,
            slug=slug,
            role=role,
            description=description,
            owner=members[owner],
            requires_real_names=real_names,
        )
    communities = [by_slug[slug] for slug, *_ in COMMUNITIES]
    present = set(
        Board.objects.filter(community__in=communities).values_list(
            "community_id", "slug"
        )
    )
    Board.objects.bulk_create(
        Board(
            community=community,
            slug=slug,
            name=name,
            description=description,
            allows_promotion=promotion,
            position=position,
        )
        for community in communities
        for position, (slug, name, description, promotion) in enumerate(DEFAULT_BOARDS)
        if (community.pk, slug) not in present
    )
    return communities


def seed_memberships(
    communities: list[Community],
    members: list[Member],
    plan: dict[str, dict[int, str]],
) -> None:
    """Create the planned memberships that are missing, and give the planned
    moderators and owners their role if they joined as plain members."""
    now = timezone.now()
    existing = {
        (m.community_id, m.member_id): m
        for m in Membership.objects.filter(
            community__in=communities, member__in=members
        )
    }
    new, promoted = [], []
    for community in communities:
        for i, role in plan[community.slug].items():
            membership = existing.get((community.pk, members[i].pk))
            if membership is None:
                new.append(
                    Membership(
                        community=community,
                        member=members[i],
                        role=role,
                        joined_at=now - timedelta(days=45 - i % 10),
                    )
                )
            elif role != MembershipRole.MEMBER and membership.role != role:
                membership.role = role
                promoted.append(membership)
    Membership.objects.bulk_create(new)
    Membership.objects.bulk_update(promoted, ["role"])


def _shown(member: Member, community: Community) -> str:
    """How a post refers to ``member``: an @mention where nicknames are
    shown, the real name where the community requires it."""
    if (
        not community.requires_real_names
        and member.display_mode == DisplayMode.NICKNAME
        and member.nickname
    ):
        return "@" + member.nickname
    return member.real_name


@dataclass
class _Draft:
    """A thread being seeded, with the rows that hang from it."""

    thread: Thread
    spec: T
    people: list[Member]
    top: list[tuple[Comment, list[Comment]]]
    mentioned: dict[int, list[Member]]


def _rotate(people: list[Member], start: int, avoid: set[int]) -> Member:
    for step in range(len(people)):
        candidate = people[(start + step) % len(people)]
        if candidate.pk not in avoid:
            return candidate
    return people[start % len(people)]


def seed_threads(
    communities: list[Community],
    members: list[Member],
    plan: dict[str, dict[int, str]],
) -> int:
    """Create the scripted threads a community does not have yet (matched by
    title), with their comments, replies, reactions, helpful answers and the
    notifications they would have sent. Rows are written in bulk, bypassing
    thread_create's rate limits; forum_counters_refresh then sets the
    counters from the rows."""
    now = timezone.now()
    present = set(
        Thread.objects.filter(community__in=communities).values_list(
            "community_id", "title"
        )
    )
    boards = {
        (b.community_id, b.slug): b
        for b in Board.objects.filter(community__in=communities)
    }
    drafts: list[_Draft] = []
    for community in communities:
        people = [members[i] for i in sorted(plan[community.slug])]
        owner = next(
            members[i]
            for i, r in plan[community.slug].items()
            if r == MembershipRole.OWNER
        )
        for n, spec in enumerate(THREADS.get(community.slug, [])):
            if (community.pk, spec.title) in present:
                continue
            author = owner if spec.pinned else people[(n * 5 + 1) % len(people)]
            created = now - timedelta(days=spec.days)
            html, _mentioned = _render(spec.body)
            thread = Thread(
                community=community,
                board=boards[community.pk, spec.board],
                author=author,
                tag=spec.tag,
                title=spec.title,
                body=spec.body,
                body_html=html,
                is_pinned=spec.pinned,
                created_at=created,
                last_activity_at=created,
                view_count=random.Random(spec.title).randint(20, 400),
            )
            drafts.append(_Draft(thread, spec, people, [], {}))
    if not drafts:
        return 0
    Thread.objects.bulk_create([d.thread for d in drafts])

    for d in drafts:
        _draft_comments(d, now)
    Comment.objects.bulk_create([c for d in drafts for c, _ in d.top])
    for d in drafts:
        for comment, replies in d.top:
            for reply in replies:
                reply.parent = comment
    Comment.objects.bulk_create([r for d in drafts for _, rs in d.top for r in rs])

    helpful = []
    for d in drafts:
        if d.spec.helpful is not None:
            d.thread.helpful_comment = d.top[d.spec.helpful][0]
            helpful.append(d.thread)
    Thread.objects.bulk_update(helpful, ["helpful_comment"])

    Reaction.objects.bulk_create(r for d in drafts for r in _draft_reactions(d))
    Notification.objects.bulk_create(
        n for d in drafts for n in _draft_notifications(d, now)
    )
    return len(drafts)


def _draft_comments(d: _Draft, now) -> None:
    """Comments and replies for a draft, authored in rotation among the
    community's members and timed after the thread, never in the future."""
    thread, spec, people = d.thread, d.spec, d.people
    rnd = random.Random(spec.title)
    scripted = list(spec.comments)
    if spec.tag != ThreadTag.PROMOTION:
        scripted += [
            C(text) for text in rnd.sample(GENERIC_COMMENTS, rnd.randint(0, 2))
        ]
    total = sum(1 + len(c.replies) for c in scripted)
    span = min(now - thread.created_at, timedelta(days=3)) * 0.9
    slot = 0

    def at() -> timezone.datetime:
        nonlocal slot
        slot += 1
        return thread.created_at + span * slot / (total + 1)

    names = {"{op}": _shown(thread.author, thread.community)}
    previous = thread.author
    for j, spec_comment in enumerate(scripted):
        author = _rotate(
            people, rnd.randrange(len(people)) + j * 7, {thread.author.pk, previous.pk}
        )
        previous = author
        if j == 0:
            names["{c0}"] = _shown(author, thread.community)
        comment = _comment(d, author, spec_comment.text, names, at())
        replies = [
            _comment(d, thread.author if k % 2 == 0 else author, text, names, at())
            for k, text in enumerate(spec_comment.replies)
        ]
        d.top.append((comment, replies))


def _comment(d: _Draft, author: Member, text: str, names, created) -> Comment:
    for placeholder, name in names.items():
        text = text.replace(placeholder, name)
    html, mentioned = _render(text)
    comment = Comment(
        thread=d.thread, author=author, body=text, body_html=html, created_at=created
    )
    d.mentioned[id(comment)] = mentioned
    return comment


def _draft_reactions(d: _Draft) -> list[Reaction]:
    """공감 and 도움돼요 from other members of the community: more on
    know-how and answered questions, as on a real board."""
    rnd = random.Random("reactions:" + d.spec.title)
    others = [p for p in d.people if p.pk != d.thread.author_id]
    weight = {"info": 1.0, "question": 0.6, "review": 0.7, "discussion": 0.8}.get(
        d.spec.tag, 0.2
    )
    reactions = []
    for member in rnd.sample(others, int(len(others) * weight * rnd.uniform(0.3, 0.9))):
        reactions.append(
            Reaction(member=member, thread=d.thread, kind=ReactionKind.EMPATHY)
        )
    if d.spec.tag in {ThreadTag.INFO, ThreadTag.QUESTION}:
        for member in rnd.sample(others, rnd.randint(1, max(1, len(others) // 3))):
            reactions.append(
                Reaction(member=member, thread=d.thread, kind=ReactionKind.HELPFUL)
            )
    for j, (comment, _replies) in enumerate(d.top):
        voters = [p for p in d.people if p.pk != comment.author_id]
        kind = ReactionKind.HELPFUL if j == d.spec.helpful else ReactionKind.EMPATHY
        for member in rnd.sample(voters, rnd.randint(0, max(0, len(voters) // 4))):
            reactions.append(Reaction(member=member, comment=comment, kind=kind))
    return reactions


def _draft_notifications(d: _Draft, now) -> list[Notification]:
    """What comment_create and helpful_mark would have sent: replies to the
    thread's and the parent's authors, mentions, the helpful answer. Older
    than two days counts as read."""
    notifications = []

    def add(recipient, kind, comment, actor):
        if recipient.pk == actor.pk:
            return
        old = comment.created_at < now - timedelta(days=2)
        notifications.append(
            Notification(
                recipient=recipient,
                kind=kind,
                actor=actor,
                thread=d.thread,
                comment=comment,
                created_at=comment.created_at,
                read_at=comment.created_at + timedelta(hours=1) if old else None,
            )
        )

    for comment, replies in d.top:
        for c in [comment, *replies]:
            told = {d.thread.author_id}
            add(d.thread.author, NotificationKind.REPLY, c, c.author)
            if c is not comment and comment.author_id not in told:
                told.add(comment.author_id)
                add(comment.author, NotificationKind.REPLY, c, c.author)
            for member in d.mentioned.get(id(c), []):
                if member.pk not in told:
                    told.add(member.pk)
                    add(member, NotificationKind.MENTION, c, c.author)
    if d.thread.helpful_comment is not None:
        answer = d.thread.helpful_comment
        add(answer.author, NotificationKind.HELPFUL, answer, d.thread.author)
    return notifications


def hot_score(thread: Thread) -> float:
    """The score community.services.threads._hot_refresh stores, computed
    here for many threads at once (tests hold the two equal)."""
    engagement = (
        thread.empathy_count
        + 2 * thread.helpful_count
        + 2 * thread.comment_count
        + thread.view_count / 20.0
        + 1.0
    )
    age = (thread.created_at - HOT_EPOCH).total_seconds() / HOT_HALF_DAY
    return math.log10(max(engagement, 1.0)) + age


def forum_counters_refresh(communities: list[Community]) -> int:
    """Set every stored counter of ``communities`` from the rows it counts:
    member counts, thread comment and reaction counts, last activity, hot
    scores, and comment reaction counts. Seeding writes rows in bulk, around
    the services that keep these counters moving; this puts them back in
    step. Counts are read in a few aggregate queries and only rows whose
    counters differ are written, so a second run writes nothing and a
    benchmark's 200,000 comments take seconds. Returns the rows written."""
    ids = [c.pk for c in communities]
    members = dict(
        Membership.objects.filter(community__in=ids)
        .values("community")
        .annotate(n=Count("pk"))
        .values_list("community", "n")
    )
    stale = [
        c
        for c in Community.objects.filter(pk__in=ids)
        if c.member_count != members.get(c.pk, 0)
    ]
    for community in stale:
        community.member_count = members.get(community.pk, 0)
    Community.objects.bulk_update(stale, ["member_count"])
    written = len(stale)

    comments = Comment.objects.filter(thread__community__in=ids).order_by()
    visible = dict(
        comments.filter(visibility=Visibility.VISIBLE)
        .values("thread")
        .annotate(n=Count("pk"))
        .values_list("thread", "n")
    )
    latest = dict(
        comments.values("thread")
        .annotate(at=Max("created_at"))
        .values_list("thread", "at")
    )
    reactions: dict[tuple[str, int], int] = {}
    for target in ("thread", "comment"):
        within = (
            Q(thread__community__in=ids)
            if target == "thread"
            else Q(comment__thread__community__in=ids)
        )
        rows = (
            Reaction.objects.filter(within)
            .order_by()
            .values(target, "kind")
            .annotate(n=Count("pk"))
            .values_list(target, "kind", "n")
        )
        for pk, kind, n in rows:
            reactions[f"{target}:{kind}", pk] = n

    fields = ["comment_count", "empathy_count", "helpful_count", "last_activity_at"]
    changed = []
    for thread in Thread.objects.filter(community__in=ids).only(
        "pk", "created_at", "view_count", "hot_score", *fields
    ):
        before = [getattr(thread, f) for f in fields] + [thread.hot_score]
        thread.comment_count = visible.get(thread.pk, 0)
        thread.empathy_count = reactions.get(("thread:empathy", thread.pk), 0)
        thread.helpful_count = reactions.get(("thread:helpful", thread.pk), 0)
        thread.last_activity_at = max(
            thread.created_at, latest.get(thread.pk) or thread.created_at
        )
        score = hot_score(thread)
        if not math.isclose(thread.hot_score, score, rel_tol=1e-12):
            thread.hot_score = score
        if [getattr(thread, f) for f in fields] + [thread.hot_score] != before:
            changed.append(thread)
    # Small batches: each is one UPDATE with a CASE per field, whose cost
    # grows with the square of the batch.
    Thread.objects.bulk_update(changed, [*fields, "hot_score"], batch_size=100)
    written += len(changed)

    changed = []
    for comment in comments.only("pk", "empathy_count", "helpful_count"):
        empathy = reactions.get(("comment:empathy", comment.pk), 0)
        helpful = reactions.get(("comment:helpful", comment.pk), 0)
        if (comment.empathy_count, comment.helpful_count) != (empathy, helpful):
            comment.empathy_count, comment.helpful_count = empathy, helpful
            changed.append(comment)
    Comment.objects.bulk_update(
        changed, ["empathy_count", "helpful_count"], batch_size=100
    )
    return written + len(changed)


@transaction.atomic
def seed_demo() -> dict[str, int]:
    members = seed_members()
    plan = _plan_memberships(len(members))
    communities = seed_communities(members, plan)
    seed_memberships(communities, members, plan)
    created = seed_threads(communities, members, plan)
    forum_counters_refresh(communities)
    seed_consents()
    return {
        "communities": len(communities),
        "members": len(members),
        "threads": Thread.objects.filter(community__in=communities).count(),
        "comments": Comment.objects.filter(thread__community__in=communities).count(),
        "new_threads": created,
    }


def seed_consents() -> int:
    """Record, for every demo account (the events demo adds some), the
    consents a sign-up gives, in the versions in force: otherwise
    ``make run`` users signing in as one would be sent to agree first. Every
    third one also agreed to email news. Safe to run again; after a new
    version it records the member's agreement to it. Returns how many
    members it recorded for."""
    key = legal.required_key()
    members = Member.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exclude(
        legal_agreed=key
    )
    count = 0
    for member in members.order_by("email"):
        if member.legal_agreed:
            consent_required_agree(member=member)
        else:
            consents_signup_record(
                member=member,
                marketing=member.pk % 3 == 0,
                how=ConsentSource.DEMO,
            )
        count += 1
    return count
