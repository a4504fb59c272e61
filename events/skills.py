"""The curated skills an experience on the path can name, per role family
(community.roles.RoleFamily, the families Moim's communities are built
on). A skill is stored as its slug, which never changes; its label is
written here in Korean and in English, and a page shows the one of its
reader's language (``Skill.label``); the JSON export carries both.

Korean labels hold no Latin words: a Korean page shows none but a few
allowed names (tests/browser/steps.py, LATIN_IN_KOREAN)."""

from typing import NamedTuple

from django.utils.translation import get_language

from community.roles import RoleFamily


class Skill(NamedTuple):
    slug: str
    family: str  # a RoleFamily value
    ko: str
    en: str

    @property
    def label(self) -> str:
        """The label in the active language (Korean unless English)."""
        language = get_language() or "ko"
        return self.en if language.startswith("en") else self.ko


_M, _P, _E, _D, _B = (
    RoleFamily.MARKETING,
    RoleFamily.PEOPLE,
    RoleFamily.ENGINEERING,
    RoleFamily.PRODUCT,
    RoleFamily.BUSINESS,
)

SKILLS: tuple[Skill, ...] = (
    # Marketing and PR
    Skill("performance-ads", _M, "퍼포먼스 광고 운영", "Performance advertising"),
    Skill("marketing-analytics", _M, "마케팅 성과 분석", "Marketing analytics"),
    Skill("crm-marketing", _M, "고객 관계 마케팅", "CRM marketing"),
    Skill("search-optimisation", _M, "검색 엔진 최적화", "Search engine optimisation"),
    Skill("content-strategy", _M, "콘텐츠 전략", "Content strategy"),
    Skill("copywriting", _M, "카피라이팅", "Copywriting"),
    Skill("brand-strategy", _M, "브랜드 전략", "Brand strategy"),
    Skill("media-relations", _M, "언론 홍보", "Media relations"),
    # People and HR
    Skill("recruiting", _P, "채용", "Recruiting"),
    Skill("interviewing", _P, "면접 설계", "Interview design"),
    Skill("onboarding", _P, "온보딩", "Onboarding"),
    Skill("performance-review", _P, "성과 관리", "Performance management"),
    Skill("compensation", _P, "보상 설계", "Compensation design"),
    Skill("org-culture", _P, "조직 문화", "Organisational culture"),
    Skill("labour-law", _P, "노무 관리", "Labour relations"),
    # Engineering and data
    Skill("backend-apis", _E, "서버 개발", "Backend development"),
    Skill("frontend-web", _E, "웹 프론트엔드 개발", "Web frontend development"),
    Skill("mobile-apps", _E, "모바일 앱 개발", "Mobile app development"),
    Skill("databases", _E, "데이터베이스 설계", "Database design"),
    Skill("cloud-infrastructure", _E, "클라우드 인프라", "Cloud infrastructure"),
    Skill("testing", _E, "테스트 자동화", "Test automation"),
    Skill("data-analysis", _E, "데이터 분석", "Data analysis"),
    Skill("data-visualisation", _E, "데이터 시각화", "Data visualisation"),
    Skill("machine-learning", _E, "머신러닝", "Machine learning"),
    Skill("experimentation", _E, "실험 설계", "Experiment design"),
    # Product and design
    Skill("product-discovery", _D, "제품 발견", "Product discovery"),
    Skill("roadmapping", _D, "로드맵 수립", "Roadmapping"),
    Skill("user-research", _D, "사용자 리서치", "User research"),
    Skill("ux-design", _D, "사용자 경험 설계", "User experience design"),
    Skill("ui-design", _D, "화면 디자인", "Interface design"),
    Skill("prototyping", _D, "프로토타이핑", "Prototyping"),
    Skill("design-systems", _D, "디자인 시스템", "Design systems"),
    Skill("product-metrics", _D, "제품 지표 관리", "Product metrics"),
    # Business
    Skill("b2b-sales", _B, "기업 영업", "Business-to-business sales"),
    Skill("negotiation", _B, "협상", "Negotiation"),
    Skill("account-management", _B, "고객사 관리", "Account management"),
    Skill("financial-analysis", _B, "재무 분석", "Financial analysis"),
    Skill("accounting", _B, "회계", "Accounting"),
    Skill("business-planning", _B, "사업 기획", "Business planning"),
    Skill("market-research", _B, "시장 조사", "Market research"),
    Skill("project-management", _B, "프로젝트 관리", "Project management"),
)

BY_SLUG: dict[str, Skill] = {skill.slug: skill for skill in SKILLS}


def skills_by_family() -> list[tuple[str, str, list[Skill]]]:
    """(family value, its label, its skills) in the catalogue's order."""
    return [
        (family.value, family.label, [s for s in SKILLS if s.family == family])
        for family in RoleFamily
    ]
