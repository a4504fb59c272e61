"""Demo data for a first run: Korean role communities and members.

Kept apart from the management command so tests and later issues can build on
it. Every function is idempotent: running it again changes nothing.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from community.models import Community, DisplayMode, Member
from community.roles import ExperienceBand, JobRole

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


def seed_communities() -> list[Community]:
    communities = []
    for slug, name, role, description, real_names in COMMUNITIES:
        community, _ = Community.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "role": role,
                "description": description,
                "requires_real_names": real_names,
            },
        )
        communities.append(community)
    return communities


def seed_members(count: int = 40) -> list[Member]:
    members = []
    now = timezone.now()
    for i in range(count):
        email = f"member{i + 1:02d}@{DEMO_DOMAIN}"
        member = Member.objects.filter(email=email).first()
        if member is None:
            # Every other member goes by a nickname, chosen long enough ago
            # that it could change again.
            nickname = NICKNAMES[(i // 2) % len(NICKNAMES)] if i % 2 == 0 else ""
            member = Member.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
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
            )
        EmailAddress.objects.get_or_create(
            user=member, email=email, defaults={"verified": True, "primary": True}
        )
        members.append(member)
    return members


@transaction.atomic
def seed_demo() -> dict[str, int]:
    communities = seed_communities()
    members = seed_members()
    return {"communities": len(communities), "members": len(members)}
