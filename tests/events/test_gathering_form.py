"""The gathering form: hosts chosen by name (the picker's suggestions and
the names typed without JavaScript, resolved among the members who may
host), the advanced settings' fold, and the place field that follows the
format."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from community.models import (
    DisplayMode,
    Membership,
    MembershipRole,
    Sanction,
    SanctionKind,
)
from events import selectors
from events.forms_organise import GatheringForm
from events.models import Gathering
from events.services import gatherings
from tests.factories import community_create, member_create

pytestmark = pytest.mark.django_db


def _join(community, member, role=MembershipRole.MEMBER):
    Membership.objects.create(community=community, member=member, role=role)
    return member


@pytest.fixture
def world():
    community = community_create()
    moderator = _join(
        community, member_create(real_name="운영자"), MembershipRole.MODERATOR
    )
    jiyu = _join(community, member_create(real_name="이지유"))
    # Two members shown by the same real name, one with a nickname kept
    # private (shown by nickname), one banned, one who left, one outside.
    minjun_a = _join(community, member_create(real_name="김민준"))
    minjun_b = _join(community, member_create(real_name="김민준"))
    pixel = _join(
        community,
        member_create(
            real_name="김비밀",
            nickname="픽셀장인",
            display_mode=DisplayMode.NICKNAME,
        ),
    )
    banned = _join(community, member_create(real_name="이지금"))
    Sanction.objects.create(
        community=community,
        member=banned,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        created_by=moderator,
    )
    former = _join(
        community, member_create(real_name="이지난", display_mode=DisplayMode.FORMER)
    )
    outsider = member_create(real_name="이지원")
    plain = _join(community, member_create(real_name="평범"))
    return {
        "community": community,
        "moderator": moderator,
        "jiyu": jiyu,
        "minjun_a": minjun_a,
        "minjun_b": minjun_b,
        "pixel": pixel,
        "banned": banned,
        "former": former,
        "outsider": outsider,
        "plain": plain,
    }


def _resolve(world, *names):
    return selectors.organise_hosts_resolve(
        community=world["community"], names=list(names)
    )


def _real_names(world):
    world["community"].requires_real_names = True
    world["community"].save(update_fields=["requires_real_names"])


# --- Resolving names --------------------------------------------------------------


def test_a_shown_real_name_a_nickname_and_a_public_id_each_name_a_host(world):
    found = _resolve(world, "이지유", "@픽셀장인", world["minjun_a"].public_id)
    assert found.members == [world["jiyu"], world["pixel"], world["minjun_a"]]
    assert found.unknown == [] and found.ambiguous == []


def test_a_real_names_community_resolves_no_host_by_nickname(world):
    _real_names(world)
    found = _resolve(world, "@픽셀장인", "픽셀장인")
    assert found.members == []
    assert found.unknown == ["@픽셀장인", "픽셀장인"]
    assert _resolve(world, "김비밀").members == [world["pixel"]]


def test_a_name_two_members_share_is_ambiguous_not_guessed(world):
    found = _resolve(world, "김민준")
    assert found.members == []
    assert found.ambiguous == ["김민준"]


def test_a_real_name_a_member_keeps_to_themselves_names_nobody(world):
    assert _resolve(world, "김비밀").unknown == ["김비밀"]


@pytest.mark.parametrize("who", ["banned", "former", "outsider"])
def test_a_member_who_may_not_host_is_unknown(world, who):
    member = world[who]
    found = _resolve(world, member.real_name, member.public_id)
    assert found.members == []
    assert found.unknown == [member.real_name, member.public_id]


def test_resolving_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        _resolve(world, "이지유", "픽셀장인", "김민준", "없는사람")


# --- The form --------------------------------------------------------------------


def _form_data(**overrides):
    start = timezone.localtime(timezone.now() + timedelta(days=20))
    data = {
        "title": "모임",
        "description": "",
        "format": "online",
        "video_link": "https://meet.example/x",
        "venue": "",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "10",
        "selection_mode": "lottery",
        "applications_open_at": (start - timedelta(days=6)).strftime("%Y-%m-%dT%H:%M"),
        "applications_close_at": (start - timedelta(days=4)).strftime("%Y-%m-%dT%H:%M"),
        "hosts": "",
        "claim_window_hours": "24",
        "link_release_hours": "24",
        "offer_cutoff_hours": "2",
    }
    data.update(overrides)
    return data


def _form(world, **overrides):
    community = world["community"]
    return GatheringForm(
        _form_data(**overrides),
        host_lookup=lambda names: selectors.organise_hosts_resolve(
            community=community, names=names
        ),
    )


def test_hosts_typed_by_name_are_found(world):
    form = _form(world, hosts="이지유, 픽셀장인")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hosts"] == [world["jiyu"], world["pixel"]]


def test_public_ids_separated_by_spaces_are_still_read(world):
    ids = f"{world['minjun_a'].public_id} {world['minjun_b'].public_id}"
    form = _form(world, hosts=ids)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["hosts"] == [world["minjun_a"], world["minjun_b"]]


def test_an_unknown_and_an_ambiguous_name_are_both_said(world, settings):
    settings.LANGUAGE_CODE = "en"
    form = _form(world, hosts="이지유, 아무개, 김민준")
    assert not form.is_valid()
    errors = " ".join(form.errors["hosts"])
    assert "No member of this community who may host is called: 아무개" in errors
    assert "Several members of this community are called: 김민준" in errors
    # The one found is kept for the picker's chips.
    assert form.host_members == [world["jiyu"]]


def test_a_banned_member_is_refused_as_host(world):
    form = _form(world, hosts=world["banned"].public_id)
    assert not form.is_valid()
    assert world["banned"].public_id in " ".join(form.errors["hosts"])


def test_an_offline_gathering_needs_no_video_link_and_keeps_none(world):
    form = _form(
        world, format="offline", venue="강남역 2번 출구", video_link="http://typo"
    )
    assert form.is_valid(), form.errors
    assert form.service_fields()["video_link"] == ""
    assert form.service_fields()["venue"] == "강남역 2번 출구"


def test_an_online_gathering_keeps_no_venue(world):
    form = _form(world, venue="강남역")
    assert form.is_valid(), form.errors
    assert form.service_fields()["venue"] == ""


def test_an_online_gathering_still_needs_its_video_link(world):
    form = _form(world, video_link="", venue="강남역")
    assert not form.is_valid()
    assert "video_link" in form.errors


def test_switching_an_online_draft_to_offline_drops_its_video_link(client, world):
    community = world["community"]
    client.force_login(world["moderator"])
    client.post(reverse("gathering_create", args=[community.slug]), _form_data())
    gathering = Gathering.objects.get(community=community)
    assert gathering.video_link == "https://meet.example/x"
    response = client.post(
        reverse("gathering_edit", args=[community.slug, gathering.pk]),
        _form_data(format="offline", venue="강남역"),
    )
    assert response.status_code == 302
    gathering.refresh_from_db()
    assert (gathering.video_link, gathering.venue) == ("", "강남역")


def test_the_advanced_settings_start_folded_at_their_defaults(world):
    assert not GatheringForm().advanced_open()
    assert not _form(world).advanced_open()


def test_the_advanced_settings_open_on_a_changed_value(world):
    assert _form(world, link_release_hours="1").advanced_open()


def test_the_advanced_settings_open_on_an_error(world):
    form = _form(world, claim_window_hours="0")
    assert not form.is_valid()
    assert form.advanced_open()


def test_the_form_page_folds_the_advanced_settings_and_marks_the_place_fields(
    client, world
):
    client.force_login(world["moderator"])
    html = client.get(
        reverse("gathering_create", args=[world["community"].slug])
    ).content.decode()
    assert (
        '<details class="card-fold advanced-settings" id="advanced-settings">' in html
    )
    assert "기본값: 자리 확정 24시간" in html
    assert 'data-format-field="online"' in html
    assert 'data-format-field="offline"' in html
    assert "data-host-picker" in html


def test_the_edit_page_shows_the_hosts_as_chips(client, world):
    community = world["community"]
    client.force_login(world["moderator"])
    client.post(
        reverse("gathering_create", args=[community.slug]),
        _form_data(hosts="이지유, 픽셀장인", link_release_hours="6"),
    )
    gathering = Gathering.objects.get(community=community)
    html = client.get(
        reverse("gathering_edit", args=[community.slug, gathering.pk])
    ).content.decode()
    assert f'data-id="{world["jiyu"].public_id}" data-name="이지유"' in html
    assert f'data-id="{world["pixel"].public_id}" data-name="픽셀장인"' in html
    # A changed hour opens the fold.
    assert 'id="advanced-settings" open>' in html


# --- The suggestions ------------------------------------------------------------


def _suggest(client, world, q, member="moderator"):
    client.force_login(world[member])
    return client.get(
        reverse("gathering_host_suggest", args=[world["community"].slug]), {"q": q}
    )


def test_suggestions_find_members_by_part_of_their_shown_name(client, world):
    response = _suggest(client, world, "이지")
    names = [m["name"] for m in response.json()["members"]]
    assert response.status_code == 200
    # Not the banned member, the one who left, or the outsider.
    assert names == ["이지유"]
    assert response.json()["members"][0]["id"] == world["jiyu"].public_id


def test_suggestions_find_by_nickname_but_never_by_a_private_real_name(client, world):
    assert [m["name"] for m in _suggest(client, world, "픽셀").json()["members"]] == [
        "픽셀장인"
    ]
    assert _suggest(client, world, "김비밀").json()["members"] == []


def test_a_real_names_community_suggests_no_one_by_nickname(client, world):
    """There 픽셀장인 is shown as 김비밀: the nickname must not find them, or
    the suggestion would pair the two names."""
    _real_names(world)
    assert _suggest(client, world, "픽셀").json()["members"] == []
    assert [m["name"] for m in _suggest(client, world, "김비").json()["members"]] == [
        "김비밀"
    ]


def test_members_who_share_a_name_are_told_apart_by_their_public_id(client, world):
    members = _suggest(client, world, "김민준").json()["members"]
    assert {m["id"] for m in members} == {
        world["minjun_a"].public_id,
        world["minjun_b"].public_id,
    }


def test_a_host_of_a_gathering_may_search_too(client, world):
    community = world["community"]
    gathering = _gathering_hosted_by(community, world["moderator"], world["plain"])
    assert gathering.hosts.filter(pk=world["plain"].pk).exists()
    assert _suggest(client, world, "이지", member="plain").status_code == 200


def test_a_plain_member_may_not_search(client, world):
    assert _suggest(client, world, "이지", member="plain").status_code == 403


def test_a_muted_moderator_may_not_search(client, world):
    Sanction.objects.create(
        community=world["community"],
        member=world["moderator"],
        kind=SanctionKind.MUTE,
        reason="잠시",
        created_by=world["moderator"],
    )
    assert _suggest(client, world, "이지").status_code == 403


def test_an_empty_or_long_query_is_refused(client, world):
    assert _suggest(client, world, "").status_code == 400
    assert _suggest(client, world, "가" * 41).status_code == 400


def test_suggestions_are_rate_limited(client, world, settings):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "host_suggest": "3/m/user",
    }
    codes = [_suggest(client, world, "이지").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    cache.clear()


@pytest.mark.parametrize("extra", [5, 60])
def test_suggestions_are_one_query_whatever_the_members(
    world, extra, django_assert_num_queries
):
    community = world["community"]
    for n in range(extra):
        _join(community, member_create(real_name=f"이지{n:03d}"))
    with django_assert_num_queries(1):
        found = selectors.organise_host_suggestions(community=community, query="이지")
    assert len(found) == min(8, extra + 1)
    assert all("이지" in s.name for s in found)


def _gathering_hosted_by(community, creator, host):
    now = timezone.now()
    gathering = gatherings.gathering_create(
        community=community,
        created_by=creator,
        title="호스트 모임",
        description="",
        format="online",
        video_link="https://meet.example/h",
        venue="",
        starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=2),
        capacity=5,
        selection_mode="lottery",
        applications_open_at=now + timedelta(days=1),
        applications_close_at=now + timedelta(days=3),
        motivation_prompt="",
        questions=[],
        hosts=[host],
    )
    return gathering
