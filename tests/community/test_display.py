"""community.display.display_name: the one place that decides how a member
is shown, and the ``members.display_name`` filter every template uses."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from community.display import display_name
from community.models import Community, DisplayMode, Member

REAL_NAMES_REQUIRED = SimpleNamespace(requires_real_names=True)
NICKNAMES_ALLOWED = SimpleNamespace(requires_real_names=False)


def make_member(**fields) -> Member:
    # Display needs no database: an unsaved member is enough.
    return Member(email="jimin@example.org", real_name="김지민", **fields)


def render_filter(member, context=None) -> str:
    template = Template(
        "{% load members %}"
        "{% if context %}{{ member|display_name:context }}"
        "{% else %}{{ member|display_name }}{% endif %}"
    )
    return template.render(Context({"member": member, "context": context}))


def test_real_name_mode_shows_the_real_name():
    member = make_member(display_mode=DisplayMode.REAL_NAME, nickname="새벽배포")

    assert display_name(member) == "김지민"


def test_nickname_mode_shows_the_nickname():
    member = make_member(display_mode=DisplayMode.NICKNAME, nickname="새벽배포")

    assert display_name(member) == "새벽배포"


def test_nickname_mode_without_a_nickname_falls_back_to_the_real_name():
    member = make_member(display_mode=DisplayMode.NICKNAME, nickname="")

    assert display_name(member) == "김지민"


def test_a_context_requiring_real_names_overrides_the_nickname():
    member = make_member(display_mode=DisplayMode.NICKNAME, nickname="새벽배포")

    assert display_name(member, REAL_NAMES_REQUIRED) == "김지민"


def test_a_context_allowing_nicknames_keeps_the_members_choice():
    member = make_member(display_mode=DisplayMode.NICKNAME, nickname="새벽배포")

    assert display_name(member, NICKNAMES_ALLOWED) == "새벽배포"


def test_a_community_requiring_real_names_is_such_a_context():
    member = make_member(display_mode=DisplayMode.NICKNAME, nickname="새벽배포")
    community = Community(name="HR·인사", slug="hr", requires_real_names=True)

    assert display_name(member, community) == "김지민"


@pytest.mark.parametrize(
    ("fields", "context"),
    [
        ({"display_mode": DisplayMode.REAL_NAME, "nickname": "새벽배포"}, None),
        ({"display_mode": DisplayMode.NICKNAME, "nickname": "새벽배포"}, None),
        ({"display_mode": DisplayMode.NICKNAME, "nickname": ""}, None),
        (
            {"display_mode": DisplayMode.NICKNAME, "nickname": "새벽배포"},
            REAL_NAMES_REQUIRED,
        ),
        (
            {"display_mode": DisplayMode.NICKNAME, "nickname": "새벽배포"},
            NICKNAMES_ALLOWED,
        ),
    ],
    ids=[
        "real-name",
        "nickname",
        "nickname-missing",
        "real-names-required",
        "nicknames-allowed",
    ],
)
def test_the_template_filter_renders_what_display_name_returns(fields, context):
    member = make_member(**fields)

    assert render_filter(member, context) == display_name(member, context)


def test_the_template_filter_escapes_the_name():
    member = make_member(display_mode=DisplayMode.REAL_NAME)
    member.real_name = "<b>김지민</b>"

    assert render_filter(member) == "&lt;b&gt;김지민&lt;/b&gt;"
