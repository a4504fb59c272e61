"""Nicknames are unique (case- and width-insensitively) and fixed: one change
per 90 days, earlier ones kept for moderators and reserved."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import formats, timezone, translation
from hypothesis import example, given
from hypothesis import strategies as st

from community.errors import CommunityError
from community.models import (
    DisplayMode,
    Member,
    Membership,
    MembershipRole,
    NicknameHistory,
)
from community.services.members import nickname_normalise, nickname_set
from tests.factories import community_create, member_create

SEOUL = ZoneInfo("Asia/Seoul")
FIRST_CHOICE_AT = datetime(2026, 1, 10, 12, 0, tzinfo=SEOUL)
# 90 days after 10 January 2026.
NEXT_CHANGE_AT = datetime(2026, 4, 10, 12, 0, tzinfo=SEOUL)


def refused_code(**kwargs) -> str:
    with pytest.raises(CommunityError) as refusal:
        nickname_set(**kwargs)
    return refusal.value.code


# --- Format and uniqueness ---------------------------------------------------


def test_a_first_nickname_is_allowed(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    member.refresh_from_db()
    assert member.nickname == "새벽배포"
    assert member.nickname_changed_at == FIRST_CHOICE_AT


@pytest.mark.parametrize(
    "nickname",
    ["a", "x" * 21, "two words", "-dash-first", "hi!", "12345", "", "   "],
    ids=[
        "too-short",
        "too-long",
        "space",
        "punctuation-first",
        "bang",
        "digits",
        "empty",
        "blank",
    ],
)
def test_a_malformed_nickname_is_refused(member, nickname):
    assert refused_code(member=member, nickname=nickname) == "nickname_format"

    member.refresh_from_db()
    assert member.nickname == ""


@pytest.mark.parametrize(
    "taken_as",
    ["moim", "MOIM", "ｍｏｉｍ", "Ｍｏｉｍ"],
    ids=["lower", "upper", "full-width", "full-width-capital"],
)
def test_a_nickname_differing_only_in_case_or_width_is_taken(db, taken_as):
    holder = member_create()
    nickname_set(member=holder, nickname="Moim")
    other = member_create()

    assert refused_code(member=other, nickname=taken_as) == "nickname_taken"

    other.refresh_from_db()
    assert other.nickname == ""


def test_a_full_width_nickname_is_stored_in_its_normal_form(member):
    nickname_set(member=member, nickname="ｍｏｉｍ２")

    member.refresh_from_db()
    assert member.nickname == "moim2"


def test_setting_the_current_nickname_again_is_not_a_change(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    nickname_set(
        member=member, nickname="새벽배포", now=FIRST_CHOICE_AT + timedelta(days=1)
    )

    member.refresh_from_db()
    assert member.nickname_changed_at == FIRST_CHOICE_AT
    assert not NicknameHistory.objects.exists()


# --- The 90-day cooldown -----------------------------------------------------


def test_a_second_change_within_90_days_is_refused_with_the_date_it_is_possible(
    member,
):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    with translation.override("en"), pytest.raises(CommunityError) as refusal:
        nickname_set(
            member=member,
            nickname="야근없는개발",
            now=NEXT_CHANGE_AT - timedelta(seconds=1),
        )

    assert refusal.value.code == "nickname_cooldown"
    # The year is written only when it is not the current one.
    assert "Fri, Apr 10" in refusal.value.message


def test_the_refusal_names_the_date_in_korean_by_default(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    with translation.override("ko"), pytest.raises(CommunityError) as refusal:
        nickname_set(
            member=member,
            nickname="야근없는개발",
            now=FIRST_CHOICE_AT + timedelta(days=1),
        )

    assert "4월 10일 (금)" in refusal.value.message


def test_a_refused_change_writes_nothing(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    refused_code(member=member, nickname="야근없는개발", now=FIRST_CHOICE_AT)

    member.refresh_from_db()
    assert member.nickname == "새벽배포"
    assert member.nickname_changed_at == FIRST_CHOICE_AT
    assert not NicknameHistory.objects.exists()


def test_a_change_90_days_after_the_last_is_allowed(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    nickname_set(member=member, nickname="야근없는개발", now=NEXT_CHANGE_AT)

    member.refresh_from_db()
    assert member.nickname == "야근없는개발"
    assert member.nickname_changed_at == NEXT_CHANGE_AT


def test_the_member_knows_when_the_next_change_is_possible(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)

    assert member.nickname_next_change_at(FIRST_CHOICE_AT) == NEXT_CHANGE_AT
    assert member.nickname_next_change_at(NEXT_CHANGE_AT) is None


# --- Earlier nicknames -------------------------------------------------------


def test_the_earlier_nickname_goes_to_the_history(member):
    nickname_set(member=member, nickname="새벽배포", now=FIRST_CHOICE_AT)
    nickname_set(member=member, nickname="야근없는개발", now=NEXT_CHANGE_AT)

    earlier = NicknameHistory.objects.get(member=member)
    assert earlier.nickname == "새벽배포"
    assert earlier.used_from == FIRST_CHOICE_AT
    assert earlier.used_until == NEXT_CHANGE_AT


@pytest.mark.parametrize("taken_as", ["OldAlias", "oldalias", "ＯＬＤＡＬＩＡＳ"])
def test_an_earlier_nickname_stays_reserved_for_other_members(db, taken_as):
    former = member_create()
    nickname_set(member=former, nickname="OldAlias", now=FIRST_CHOICE_AT)
    nickname_set(member=former, nickname="NewAlias", now=NEXT_CHANGE_AT)
    other = member_create()

    assert refused_code(member=other, nickname=taken_as) == "nickname_taken"


# --- Through the profile page ------------------------------------------------


def profile_post(member, **changes) -> dict:
    data = {
        "real_name": member.real_name,
        "nickname": member.nickname,
        "display_mode": member.display_mode,
        "role": member.role,
        "experience": member.experience,
        "company": member.company,
    }
    data.update(changes)
    return data


def test_the_profile_page_refuses_an_early_change_with_the_date_and_status_400(
    client_member, member
):
    changed_at = timezone.now() - timedelta(days=10)
    nickname_set(member=member, nickname="새벽배포", now=changed_at)
    member.refresh_from_db()
    possible_on = timezone.localtime(changed_at + timedelta(days=90)).date()
    with translation.override("en"):
        possible_on_text = formats.date_format(possible_on, "DATE_FORMAT")

    response = client_member.post(
        reverse("profile_edit"),
        profile_post(member, nickname="야근없는개발", real_name="Someone Else"),
        headers={"accept-language": "en"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert possible_on_text in body
    assert response.context["form"].has_error("nickname")


def test_a_refused_profile_change_changes_nothing_in_the_database(
    client_member, member
):
    nickname_set(member=member, nickname="새벽배포", now=timezone.now())
    member.refresh_from_db()
    before = Member.objects.values().get(pk=member.pk)

    client_member.post(
        reverse("profile_edit"),
        profile_post(
            member,
            nickname="야근없는개발",
            real_name="Someone Else",
            display_mode=DisplayMode.NICKNAME,
            company="Acme",
        ),
    )

    assert Member.objects.values().get(pk=member.pk) == before
    assert not NicknameHistory.objects.exists()


def test_the_profile_page_says_when_the_nickname_can_change_again(
    client_member, member
):
    changed_at = timezone.now() - timedelta(days=10)
    nickname_set(member=member, nickname="새벽배포", now=changed_at)
    possible_on = timezone.localtime(changed_at + timedelta(days=90)).date()
    with translation.override("en"):
        possible_on_text = formats.date_format(possible_on, "DATE_FORMAT")

    response = client_member.get(
        reverse("profile_edit"), headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    assert possible_on_text in response.content.decode()


def test_the_profile_page_sets_a_first_nickname(client_member, member):
    response = client_member.post(
        reverse("profile_edit"),
        profile_post(member, nickname="새벽배포", display_mode=DisplayMode.NICKNAME),
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.nickname == "새벽배포"
    assert member.display_mode == DisplayMode.NICKNAME


def test_the_profile_page_refuses_a_taken_nickname_with_status_400(
    client_member, member
):
    nickname_set(member=member_create(), nickname="Moim")

    response = client_member.post(
        reverse("profile_edit"), profile_post(member, nickname="moim")
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.nickname == ""


@pytest.fixture
def renamed_member(db):
    renamed = member_create(display_mode=DisplayMode.REAL_NAME)
    nickname_set(member=renamed, nickname="OldAlias", now=FIRST_CHOICE_AT)
    nickname_set(member=renamed, nickname="NewAlias", now=NEXT_CHANGE_AT)
    return renamed


def profile_page_as(client, renamed_member, viewer=None) -> str:
    if viewer is not None:
        client.force_login(viewer)
    response = client.get(reverse("member_detail", args=[renamed_member.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_staff_see_earlier_nicknames_on_the_public_profile(
    client, renamed_member, staff_member
):
    assert "OldAlias" in profile_page_as(client, renamed_member, staff_member)


def test_moderators_of_the_members_community_see_earlier_nicknames(
    client, renamed_member, member
):
    community = community_create()
    Membership.objects.create(community=community, member=renamed_member)
    Membership.objects.create(
        community=community, member=member, role=MembershipRole.MODERATOR
    )
    assert "OldAlias" in profile_page_as(client, renamed_member, member)


def test_moderators_of_another_community_do_not_see_earlier_nicknames(
    client, renamed_member, member
):
    Membership.objects.create(community=community_create(), member=renamed_member)
    Membership.objects.create(
        community=community_create(), member=member, role=MembershipRole.MODERATOR
    )
    assert "OldAlias" not in profile_page_as(client, renamed_member, member)


def test_anonymous_visitors_do_not_see_earlier_nicknames(client, renamed_member):
    assert "OldAlias" not in profile_page_as(client, renamed_member)


def test_other_members_do_not_see_earlier_nicknames(client, renamed_member, member):
    assert "OldAlias" not in profile_page_as(client, renamed_member, member)


def test_the_member_does_not_see_their_own_earlier_nicknames_there(
    client, renamed_member
):
    assert "OldAlias" not in profile_page_as(client, renamed_member, renamed_member)


# --- Invariants --------------------------------------------------------------


@given(st.text())
def test_normalising_any_text_gives_a_valid_nickname_or_a_format_error(text):
    try:
        nickname, key = nickname_normalise(text)
    except CommunityError as err:
        assert err.code == "nickname_format"
    else:
        assert 2 <= len(nickname) <= 20
        assert key == key.casefold()
        assert key == nickname.casefold()


KEY_LENGTH = Member._meta.get_field("nickname_key").max_length


@given(st.text())
@example("ß" * 20)
def test_the_uniqueness_key_of_any_valid_nickname_fits_its_column(text):
    try:
        _, key = nickname_normalise(text)
    except CommunityError:
        return
    assert len(key) <= KEY_LENGTH


def test_a_nickname_whose_key_grows_when_case_folded_is_answered_clearly(
    client_member, member
):
    before = member.nickname
    response = client_member.post(
        reverse("profile_edit"), profile_post(member, nickname="ß" * 20)
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.nickname == before


# --- Concurrency -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_members_claiming_one_nickname_at_once_leaves_one_holder():
    members = [member_create() for _ in range(20)]
    start = threading.Barrier(len(members))
    outcomes = []

    def claim(claimant):
        try:
            start.wait()
            nickname_set(member=claimant, nickname="Moim")
            outcomes.append("won")
        except CommunityError as err:
            outcomes.append(err.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(m,)) for m in members]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["nickname_taken"] * 19 + ["won"]
    assert Member.objects.filter(nickname_key="moim").count() == 1
