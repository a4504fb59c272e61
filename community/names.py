"""Built-in names, said in the reader's language.

Every community starts with the same three boards, and the role communities
bear their role's name. Their names are stored in Korean, as created; shown,
they come from this translated catalogue, keyed by a stable key (the
board's slug, the community's job role), as long as the stored name is
still the built-in one. A name a member or moderator chose is shown as
written."""

from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from community.roles import JobRole

# Board slug → (the Korean name stored at creation, the translatable name).
BOARDS: dict[str, tuple[str, Promise]] = {
    "job-talk": ("직무톡", _("Job talk")),
    "introductions": ("소개톡", _("Introductions")),
    "gathering-reviews": ("모임 후기", _("Gathering reviews")),
}

BOARD_DESCRIPTIONS: dict[str, tuple[str, Promise]] = {
    "job-talk": ("질문과 노하우를 나눠요.", _("Questions and know-how.")),
    "introductions": (
        "자기소개와 홍보: 홍보는 이 게시판에서만.",
        _("Introductions and promotion: promotion goes on this board only."),
    ),
    "gathering-reviews": ("모임에 다녀온 이야기.", _("Stories from gatherings.")),
}

# Job role → (the Korean name of its community, the translatable name).
# Most are the role's own label; three communities were named otherwise.
ROLE_COMMUNITIES: dict[str, tuple[str, Promise]] = {
    **{
        role.value: (korean, role.label)
        for role, korean in (
            (JobRole.PERFORMANCE_MARKETING, "퍼포먼스 마케팅"),
            (JobRole.BRAND_MARKETING, "브랜드 마케팅"),
            (JobRole.CONTENT_MARKETING, "콘텐츠 마케팅"),
            (JobRole.BACKEND, "백엔드 개발"),
            (JobRole.FRONTEND, "프론트엔드 개발"),
            (JobRole.MOBILE, "모바일 개발"),
            (JobRole.DATA, "데이터 분석"),
            (JobRole.PRODUCT, "프로덕트 매니지먼트"),
            (JobRole.DESIGN, "프로덕트 디자인"),
            (JobRole.SALES, "영업"),
            (JobRole.FINANCE, "재무·회계"),
            (JobRole.STRATEGY, "전략·기획"),
        )
    },
    JobRole.PR.value: ("홍보·PR", _("Public relations")),
    JobRole.HR.value: ("HR·인사", _("People & HR")),
    JobRole.RECRUITING.value: ("채용 담당자", _("Recruiters")),
}

CATALOGUES = {
    "board": BOARDS,
    "board description": BOARD_DESCRIPTIONS,
    "role community": ROLE_COMMUNITIES,
}


def builtin(catalogue: str, key: str | None, stored: str) -> Promise | None:
    """The translatable built-in name when ``stored`` is still the built-in
    name for ``key``; None for a name someone chose."""
    entry = CATALOGUES[catalogue].get(key or "")
    if entry is not None and entry[0] == stored:
        return entry[1]
    return None


class _ShownName(DeferredAttribute):
    """Reads the name as shown (built-in ones translated); writes what is
    stored. The key is read only when already loaded, never queried."""

    def __get__(self, instance, cls=None):
        stored = super().__get__(instance, cls)
        if instance is None:
            return stored
        key = instance.__dict__.get(self.field.key_field)
        name = builtin(self.field.catalogue, key, stored)
        return stored if name is None else str(name)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class BuiltinNameField(models.CharField):
    """A name that may be a built-in one from ``catalogue``, keyed by the
    model's ``key_field``: reading the attribute gives the name in the
    active language; the database, forms and exports get what is stored."""

    descriptor_class = _ShownName
    # How the name is shown changes nothing in the database.
    non_db_attrs = (*models.CharField.non_db_attrs, "catalogue", "key_field")

    def __init__(self, *args, catalogue: str, key_field: str, **kwargs):
        self.catalogue = catalogue
        self.key_field = key_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(catalogue=self.catalogue, key_field=self.key_field)
        return name, path, args, kwargs

    def stored(self, instance) -> str:
        return instance.__dict__[self.attname]

    def pre_save(self, model_instance, add):
        return self.stored(model_instance)

    def value_from_object(self, obj):
        return self.stored(obj)


def label(instance, field: str = "name") -> str | Promise:
    """The instance's name, lazily translated when built-in, for a sentence
    that is stored and said later (community/facts.py)."""
    model_field = instance._meta.get_field(field)
    stored = model_field.stored(instance)
    key = instance.__dict__.get(model_field.key_field)
    return builtin(model_field.catalogue, key, stored) or stored
