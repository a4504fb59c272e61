"""Experiences on the path (events.services.experiences, the path page,
its exports): a member adds, changes and deletes their own, each with a
visibility of its own (private unless chosen); the page reads like a career
page for anyone else, with the skills over time and the card of what a
signed-out visitor sees; the JSON and personal-data exports carry them and
leaving deletes them."""

import json
import re
from datetime import date, datetime
from html import unescape as html_unescape

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from community.fields import SEOUL
from community.models import DisplayMode
from community.personal_data import personal_data
from community.services.leaving import member_delete
from events.errors import EventsError
from events.models import Experience, ExperienceKind, PathVisibility
from events.selectors import member_path, path_page
from events.services.experiences import (
    experience_create,
    experience_delete,
    experience_update,
    tags_normalise,
)
from events.services.path import path_visibility_set, takeaway_save
from events.skills import SKILLS
from tests.events.factories import gathering_held, member_joined
from tests.factories import community_create, member_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=SEOUL)
TITLE = "그로스 마케터"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def add(member, **overrides) -> Experience:
    values = {
        "kind": ExperienceKind.JOB,
        "title": TITLE,
        "organisation": "모임랩",
        "started_on": date(2023, 3, 1),
        "skills": ["performance-ads", "data-analysis"],
        "tags": "GA4, 리텐션",
        "now": NOW,
    }
    values.update(overrides)
    return experience_create(member=member, **values)


def page_of(client, member) -> str:
    return client.get(reverse("member_path", args=[member.public_id])).content.decode()


# --- The service ----------------------------------------------------------------


def test_an_experience_is_kept_by_month_and_private_unless_chosen():
    member = member_create()

    experience = add(member, started_on=date(2023, 3, 17), ended_on=date(2024, 5, 30))

    experience.refresh_from_db()
    assert experience.started_on == date(2023, 3, 1)
    assert experience.ended_on == date(2024, 5, 1)
    assert experience.visibility == PathVisibility.PRIVATE
    assert experience.skills == ["performance-ads", "data-analysis"]


def test_tags_are_normalised_deduplicated_and_kept_in_order():
    assert tags_normalise(" #GA4 , ga４,  리텐션   실험 ,, #리텐션 실험") == [
        "ga4",
        "리텐션 실험",
    ]


@given(st.lists(st.text(max_size=40), max_size=14))
def test_normalised_tags_are_short_distinct_and_stable(raw):
    try:
        tags = tags_normalise(raw)
    except EventsError as refused:
        assert refused.code in {"experience_tag_too_long", "experience_too_many_tags"}
        return
    assert len(tags) <= 10
    assert len(set(tags)) == len(tags)
    assert all(0 < len(tag) <= 30 for tag in tags)
    assert tags_normalise(tags) == tags


def test_a_skill_named_twice_is_kept_once():
    experience = add(member_create(), skills=["copywriting", "copywriting"])

    assert experience.skills == ["copywriting"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"title": "   "}, "experience_title_empty"),
        ({"kind": "hobby"}, "experience_kind_unknown"),
        ({"skills": ["juggling"]}, "experience_skill_unknown"),
        (
            {"skills": [s.slug for s in SKILLS[:11]]},
            "experience_too_many_skills",
        ),
        ({"tags": "가" * 31}, "experience_tag_too_long"),
        ({"tags": ",".join(f"태그{n}" for n in range(11))}, "experience_too_many_tags"),
        ({"ended_on": date(2023, 2, 1)}, "experience_dates"),
        ({"started_on": date(2027, 1, 1)}, "experience_starts_later"),
        ({"started_on": None}, "experience_month_invalid"),
        ({"title": "가" * 121}, "too_long"),
    ],
)
def test_a_refused_experience_stores_nothing(overrides, code):
    member = member_create()

    with pytest.raises(EventsError) as refused:
        add(member, **overrides)

    assert refused.value.code == code
    assert not Experience.objects.exists()


def test_an_experience_that_ends_in_the_month_it_starts_is_accepted():
    experience = add(
        member_create(), started_on=date(2024, 6, 1), ended_on=date(2024, 6, 20)
    )

    assert experience.ended_on == date(2024, 6, 1)


def test_a_member_changes_and_deletes_only_their_own_experiences():
    owner, other = member_create(), member_create()
    experience = add(owner)

    for attempt in (
        lambda: experience_update(
            member=other,
            experience_id=experience.pk,
            kind=ExperienceKind.TALK,
            title="남의 것",
            started_on=date(2020, 1, 1),
            now=NOW,
        ),
        lambda: experience_delete(member=other, experience_id=experience.pk),
    ):
        with pytest.raises(EventsError) as refused:
            attempt()
        assert refused.value.code == "experience_unknown"
        assert refused.value.status == 404

    changed = experience_update(
        member=owner,
        experience_id=experience.pk,
        kind=ExperienceKind.TALK,
        title="리텐션 발표",
        started_on=date(2024, 9, 1),
        now=NOW,
    )
    assert (changed.kind, changed.title, changed.tags) == ("talk", "리텐션 발표", [])
    experience_delete(member=owner, experience_id=experience.pk)
    assert not Experience.objects.exists()


def test_the_owner_sets_an_experiences_visibility_like_any_path_item():
    owner, other = member_create(), member_create()
    experience = add(owner)

    path_visibility_set(
        member=owner, kind="experience", object_id=experience.pk, visibility="public"
    )
    with pytest.raises(EventsError):
        path_visibility_set(
            member=other,
            kind="experience",
            object_id=experience.pk,
            visibility="private",
        )

    experience.refresh_from_db()
    assert experience.visibility == PathVisibility.PUBLIC


# --- Who sees an experience -------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "seen_by"),
    [
        (PathVisibility.PRIVATE, {"owner"}),
        (PathVisibility.COMMUNITY, {"owner", "fellow"}),
        (PathVisibility.PUBLIC, {"owner", "fellow", "stranger", "visitor"}),
    ],
)
def test_an_experience_is_seen_as_its_visibility_says(client, visibility, seen_by):
    community = community_create()
    owner = member_joined(community)
    readers = {
        "owner": owner,
        "fellow": member_joined(community),  # shares a community with the owner
        "stranger": member_joined(community_create()),
        "visitor": None,
    }
    add(owner, visibility=visibility)

    seen = set()
    for name, reader in readers.items():
        client.logout()
        if reader is not None:
            client.force_login(reader)
        if TITLE in page_of(client, owner):
            seen.add(name)

    assert seen == seen_by


def test_the_selectors_rule_is_the_pages_rule():
    """One rule: what the page shows is what member_path returns."""
    community = community_create()
    owner, fellow = member_joined(community), member_joined(community)
    add(owner, visibility=PathVisibility.COMMUNITY, title="함께 보는 경험")
    add(owner, visibility=PathVisibility.PRIVATE, title="나만 보는 경험")

    titles = [item.title for item in member_path(member=owner, viewer=fellow)]

    assert titles == ["함께 보는 경험"]


# --- The page -------------------------------------------------------------------


def test_experiences_and_gatherings_share_one_timeline_newest_first(client):
    gathering, members = gathering_held(attendees=1)
    member = members[0]
    path_visibility_set(
        member=member, kind="attended", object_id=gathering.pk, visibility="public"
    )
    add(member, title="오래된 직장", started_on=date(2019, 1, 1), visibility="public")
    add(
        member,
        title="지금 하는 일",
        started_on=timezone.localdate().replace(day=1),
        visibility="public",
    )

    page = page_of(client, member)

    order = [page.index(t) for t in ("지금 하는 일", gathering.title, "오래된 직장")]
    assert order == sorted(order)


def test_skills_over_time_say_since_when_from_the_experiences_seen(client):
    member = member_create()
    add(
        member,
        started_on=date(2021, 3, 1),
        ended_on=date(2022, 2, 1),
        skills=["data-analysis"],
        visibility="public",
    )
    add(
        member,
        started_on=date(2023, 5, 1),
        skills=["data-analysis", "copywriting"],
        visibility="public",
    )
    add(member, started_on=date(2020, 1, 1), skills=["negotiation"])  # private

    page = path_page(member=member, viewer=None)

    assert [(s.skill.slug, s.since, s.experiences, s.ongoing) for s in page.skills] == [
        ("data-analysis", date(2021, 3, 1), 2, True),
        ("copywriting", date(2023, 5, 1), 1, True),
    ]
    html = page_of(client, member)
    assert "Skills over time" in html
    assert "since March 2021" in html
    assert "Negotiation" not in html


@pytest.mark.parametrize(
    ("language", "label", "month"),
    [("ko", "데이터 분석", "2021년 3월"), ("en", "Data analysis", "March 2021")],
)
def test_skills_and_months_are_shown_in_the_readers_language(
    client, language, label, month
):
    member = member_create()
    add(
        member,
        started_on=date(2021, 3, 1),
        skills=["data-analysis"],
        visibility="public",
    )

    html = client.get(
        reverse("member_path", args=[member.public_id]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()

    assert label in html
    assert month in html


def test_a_member_shown_by_nickname_is_never_named_by_their_real_name(client):
    member = member_create(
        real_name="김실명", nickname="달빛", display_mode=DisplayMode.NICKNAME
    )
    add(member, visibility="public")

    html = page_of(client, member)

    assert "달빛" in html
    assert "김실명" not in html


def og(html: str, name: str) -> str | None:
    found = re.search(
        rf'<meta (?:property|name)="{re.escape(name)}" content="([^"]*)"', html
    )
    return html_unescape(found[1]) if found else None


def test_a_path_with_public_items_shares_a_card_of_those_only(client):
    member = member_create(nickname="달빛", display_mode=DisplayMode.NICKNAME)
    add(member, visibility="public", skills=["copywriting"])
    add(member, title="비밀 프로젝트", visibility="private")
    client.force_login(member)  # even the owner's page carries the public card

    html = page_of(client, member)

    assert og(html, "og:title") == "달빛's path"
    assert TITLE in og(html, "og:description")
    assert "Copywriting" in og(html, "og:description")
    assert "비밀 프로젝트" not in og(html, "og:description")
    assert og(html, "og:url").endswith(reverse("member_path", args=[member.public_id]))
    assert og(html, "twitter:title") == "달빛's path"


def test_a_path_with_nothing_public_shares_a_card_that_names_nobody(client):
    member = member_create(real_name="김비공개")
    add(member, title="비밀 프로젝트")

    html = page_of(client, member)

    assert og(html, "og:title") == "A path on Moim"
    assert "김비공개" not in og(html, "og:title") + og(html, "og:description")
    assert "비밀 프로젝트" not in html


def test_the_page_has_a_print_button_and_a_print_layout(client):
    member = member_create()

    html = page_of(client, member)

    assert "data-print" in html
    assert "js/print.js" in html
    assert "events/path.css" in html


# --- The owner's forms ----------------------------------------------------------


def form_body(**overrides) -> dict:
    body = {
        "kind": "project",
        "title": "광고 자동화",
        "organisation": "",
        "started_on": "2024-02",
        "ended_on": "",
        "learned": "작게 시작하기",
        "skills": ["performance-ads", "testing"],
        "tags": "자동화, #자동화",
        "visibility": "community",
    }
    body.update(overrides)
    return body


def test_the_owner_adds_an_experience_from_the_path_page(client):
    member = member_create()
    client.force_login(member)

    assert 'action="/me/path/experiences/new/"' in page_of(client, member)
    response = client.post(reverse("experience_create"), form_body())

    experience = Experience.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-experience-{experience.pk}")
    assert experience.started_on == date(2024, 2, 1)
    assert experience.ended_on is None
    assert experience.tags == ["자동화"]
    assert experience.visibility == "community"


@pytest.mark.parametrize(
    ("language", "overrides", "text"),
    [
        ("ko", {"started_on": "2024-13"}, "연도와 월을 적어 주세요"),
        ("en", {"started_on": "next year"}, "Please give a month"),
        ("ko", {"ended_on": "2023-01"}, "끝난 달은 시작한 달과 같거나"),
        ("en", {"skills": ["juggling"]}, "Please choose skills from the list."),
        ("ko", {"tags": "가" * 31}, "태그는 30자까지"),
        ("en", {"title": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_in_words_and_stores_nothing(
    client, language, overrides, text
):
    member = member_create()
    client.force_login(member)

    response = client.post(
        reverse("experience_create"),
        form_body(**overrides),
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    assert text in response.content.decode()
    assert not Experience.objects.exists()


def test_the_owner_edits_and_deletes_through_the_pages(client):
    member = member_create()
    experience = add(member)
    client.force_login(member)

    edit = client.get(reverse("experience_edit", args=[experience.pk]))
    assert edit.status_code == 200
    assert 'value="2023-03"' in edit.content.decode()
    client.post(
        reverse("experience_edit", args=[experience.pk]),
        form_body(title="고친 제목"),
    )
    assert Experience.objects.get().title == "고친 제목"
    client.post(reverse("experience_delete", args=[experience.pk]))
    assert not Experience.objects.exists()


@pytest.mark.parametrize("name", ["experience_edit", "experience_delete"])
def test_another_members_experience_is_not_found(client, name):
    experience = add(member_create())
    client.force_login(member_create())

    response = client.post(reverse(name, args=[experience.pk]), form_body())

    assert response.status_code == 404
    assert Experience.objects.get().title == TITLE


# --- Exports and leaving -----------------------------------------------------------


def test_the_json_export_holds_experiences_with_their_skills_in_both_languages(
    client,
):
    member = member_create()
    add(member, ended_on=date(2024, 8, 1), skills=["data-analysis"])
    client.force_login(member)

    data = json.loads(client.get(reverse("path_json")).content)

    [item] = data["items"]
    assert item["kind"] == "experience"
    assert item["experience_kind"] == "job"
    assert (item["started"], item["ended"]) == ("2023-03", "2024-08")
    assert item["visibility"] == "private"
    assert item["community"] is None
    assert item["skills"] == [
        {"slug": "data-analysis", "ko": "데이터 분석", "en": "Data analysis"}
    ]
    assert item["tags"] == ["ga4", "리텐션"]


def test_the_personal_data_export_holds_the_experiences():
    member = member_create()
    add(member)

    sections = {s.key: value for s, value in personal_data(member)}

    [row] = sections["path"]["experiences"]
    assert row["title"] == TITLE
    assert row["organisation"] == "모임랩"
    assert [s["slug"] for s in row["skills"]] == ["performance-ads", "data-analysis"]


def test_leaving_deletes_the_experiences():
    member, other = member_create(), member_create()
    add(member)
    add(other)

    member_delete(member=member)

    assert list(Experience.objects.values_list("member", flat=True)) == [other.pk]


# --- Query counts ---------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 60])
@pytest.mark.parametrize("reader", ["owner", "fellow", "visitor"])
def test_the_path_page_takes_as_many_queries_at_any_number_of_experiences(
    client, django_assert_max_num_queries, size, reader
):
    community = community_create()
    member = member_joined(community)
    gathering, members = gathering_held(attendees=1, community=community)
    takeaway_save(member=members[0], gathering=gathering, learned="배움")
    visibilities = list(PathVisibility.values)
    for n in range(size):
        add(
            member,
            title=f"경험 {n}",
            visibility=visibilities[n % 3],
            skills=["copywriting", "data-analysis"],
        )
    if reader != "visitor":
        client.force_login(member if reader == "owner" else member_joined(community))

    # The owner's page also reads their credentials and what they may issue
    # one for (four queries: events.selectors.credentials).
    with django_assert_max_num_queries(17 if reader == "owner" else 13):
        response = client.get(reverse("member_path", args=[member.public_id]))

    assert response.status_code == 200
    shown = (
        size
        if reader == "owner"
        else (
            len([n for n in range(size) if n % 3 == 2])
            + (len([n for n in range(size) if n % 3 == 1]) if reader == "fellow" else 0)
        )
    )
    assert response.content.decode().count('class="path-title"') == shown


@pytest.mark.parametrize(
    ("ended_on", "language", "months"),
    [
        (None, "en", "March 2023 – Present"),
        (None, "ko", "2023년 3월 – 현재"),
        (date(2023, 3, 1), "en", "March 2023</span>"),
        (date(2024, 1, 1), "ko", "2023년 3월 – 2024년 1월"),
    ],
)
def test_an_experience_reads_as_months_as_careers_are_written(
    client, ended_on, language, months
):
    member = member_create()
    add(member, ended_on=ended_on, visibility="public")

    html = client.get(
        reverse("member_path", args=[member.public_id]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()

    assert months in html
