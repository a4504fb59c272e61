"""The follow-up's pages: the answer page, the answer on the path (as
visible as the takeaway), and the organisers' counts on the analytics pages
(hidden below k) — with their query counts at two sizes."""

from datetime import timedelta

import pytest
from django.urls import reverse

from community.access import access_for
from community.models import Membership, MembershipRole
from community.services.communities import community_leave
from events.followup_box import followup_unseal
from events.models import FollowUp, PathVisibility, Takeaway
from events.services.followups import followup_answer, followup_round_close
from tests.events.factories import gathering_followed_up, member_joined, organiser_of
from tests.factories import member_create

pytestmark = pytest.mark.django_db


def url(gathering, name="followup_answer"):
    return reverse(name, args=[gathering.community.slug, gathering.pk])


def answer(gathering, member, value, note=""):
    followup_answer(
        access=access_for(member, gathering.community),
        gathering=gathering,
        answer=value,
        note=note,
    )


def opened(member):
    followup = FollowUp.objects.get(member=member)
    if followup.box is None:
        return None
    return followup_unseal(
        round_id=followup.round_id, member_id=member.pk, box=followup.box
    )


# --- The answer page ------------------------------------------------------------


def test_the_asked_member_answers_and_lands_on_their_path(client):
    gathering, members, _round = gathering_followed_up(attendees=3)
    client.force_login(members[0])

    page = client.get(url(gathering))
    response = client.post(url(gathering), {"answer": "applied", "note": "적용함"})

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"].startswith(
        reverse("member_path", args=[members[0].public_id])
    )
    assert opened(members[0]) == {"answer": "applied", "note": "적용함"}


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        ("ko", {"answer": "maybe"}, "답 중 하나를 골라 주세요."),
        ("en", {"answer": ""}, "Please choose one of the answers."),
        ("ko", {"answer": "applied", "note": "가" * 501}, "500"),
    ],
)
def test_bad_input_is_refused_in_words_and_changes_nothing(
    client, language, body, expected
):
    gathering, members, _round = gathering_followed_up(attendees=3)
    answer(gathering, members[0], "partly")
    client.force_login(members[0])

    response = client.post(url(gathering), body, HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert opened(members[0])["answer"] == "partly"


def test_the_page_offers_the_members_answer_to_change(client):
    gathering, members, _round = gathering_followed_up(attendees=3)
    answer(gathering, members[0], "not_yet", note="다음 달에")
    client.force_login(members[0])

    html = client.get(url(gathering), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'value="not_yet" required checked' in html or (
        'value="not_yet"' in html and "checked" in html
    )
    assert "다음 달에" in html
    assert "Change my answer" in html


def test_after_the_close_the_page_shows_the_answer_and_refuses_a_change(client):
    gathering, members, round = gathering_followed_up(attendees=3)
    answer(gathering, members[0], "partly")
    followup_round_close(round_id=round.pk, now=round.closes_at)
    client.force_login(members[0])

    page = client.get(url(gathering), HTTP_ACCEPT_LANGUAGE="en")
    refused = client.post(url(gathering), {"answer": "applied"})

    assert page.status_code == 200
    assert "This follow-up question is closed" in page.content.decode()
    assert "Partly" in page.content.decode()
    assert refused.status_code == 403
    assert opened(members[0])["answer"] == "partly"


@pytest.mark.parametrize("who", ["other attendee", "organiser", "outsider"])
def test_nobody_else_opens_a_members_follow_up(client, who):
    gathering, members, _round = gathering_followed_up(attendees=3, takeaways=1)
    visitor = {
        "other attendee": members[1],
        "organiser": organiser_of(gathering.community),
        "outsider": member_create(),
    }[who]
    client.force_login(visitor)

    assert client.get(url(gathering)).status_code == 403
    assert client.post(url(gathering), {"answer": "applied"}).status_code == 403
    assert opened(members[0]) is None


def test_a_member_who_left_the_community_is_refused_in_words(client):
    gathering, members, _round = gathering_followed_up(attendees=3)
    community_leave(access=access_for(members[0], gathering.community))
    client.force_login(members[0])

    page = client.get(url(gathering), HTTP_ACCEPT_LANGUAGE="en")
    refused = client.post(
        url(gathering), {"answer": "applied"}, HTTP_ACCEPT_LANGUAGE="ko"
    )

    assert page.status_code == 403
    assert "You left this community" in page.content.decode()
    assert refused.status_code == 403
    assert "커뮤니티를 나가서" in refused.content.decode()
    assert opened(members[0]) is None


def test_a_visitor_is_sent_to_sign_in(client):
    gathering, _members, _round = gathering_followed_up(attendees=3)

    response = client.get(url(gathering))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- On the path -------------------------------------------------------------------


def test_the_path_shows_the_answer_under_the_takeaways_visibility(client):
    gathering, members, _round = gathering_followed_up(attendees=3)
    owner = members[0]
    answer(gathering, owner, "applied", note="주간 회의에 적용")
    path = reverse("member_path", args=[owner.public_id])
    fellow = member_joined(gathering.community)

    client.force_login(owner)
    own = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.force_login(fellow)
    hidden = client.get(path).content.decode()
    Takeaway.objects.filter(member=owner).update(visibility=PathVisibility.COMMUNITY)
    shown = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Applied it" in own and "주간 회의에 적용" in own
    assert "주간 회의에 적용" not in hidden
    assert "Applied it" in shown and "주간 회의에 적용" in shown


def test_the_owner_is_offered_to_answer_on_their_path(client):
    gathering, members, _round = gathering_followed_up(attendees=3)
    client.force_login(members[0])

    html = client.get(
        reverse("member_path", args=[members[0].public_id]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert url(gathering) in html


def test_the_json_export_holds_the_answer(client):
    gathering, members, _round = gathering_followed_up(attendees=3)
    answer(gathering, members[0], "partly", note="반쯤")
    client.force_login(members[0])

    data = client.get(reverse("path_json")).json()

    assert [
        (i["kind"], i["applied"], i["applied_note"])
        for i in data["items"]
        if "applied" in i
    ] == [("takeaway", "partly", "반쯤")]


@pytest.mark.parametrize("size", [1, 5])
def test_the_path_page_takes_as_many_queries_with_follow_ups(
    client, django_assert_max_num_queries, size
):
    from events.models import Application

    owner = None
    for _ in range(size):
        gathering, members, _round = gathering_followed_up(attendees=1)
        if owner is None:
            owner = members[0]
        else:
            Application.objects.filter(gathering=gathering).update(member=owner)
            Takeaway.objects.filter(gathering=gathering).update(member=owner)
            FollowUp.objects.filter(round__gathering=gathering).update(member=owner)
            # A member of each community, as one asked there would be.
            Membership.objects.create(community=gathering.community, member=owner)
        answer(gathering, owner, "applied")
    client.force_login(owner)

    # With the owner's experiences and credentials (events.selectors.path,
    # events.selectors.credentials): as many at any number of follow-ups.
    with django_assert_max_num_queries(17):
        html = client.get(
            reverse("member_path", args=[owner.public_id]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()

    assert html.count('class="badge followup-applied"') == size


# --- The organisers' counts ---------------------------------------------------------


def moderator_client(client, community):
    moderator = organiser_of(community)
    client.force_login(moderator)
    return client


def test_below_k_the_organisers_see_only_how_many_answered(client):
    gathering, members, round = gathering_followed_up(attendees=6)
    for member in members[:4]:
        answer(gathering, member, "applied")
    followup_round_close(round_id=round.pk, now=round.closes_at)

    html = (
        moderator_client(client, gathering.community)
        .get(url(gathering, "gathering_analytics"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )

    assert "4 answered: fewer than 5" in html
    assert 'id="followup-figures"' not in html


def test_from_k_the_organisers_see_the_counts_per_gathering_and_community(client):
    gathering, members, round = gathering_followed_up(attendees=6)
    for member, value in zip(
        members, ["applied", "applied", "applied", "partly", "not_yet"], strict=False
    ):
        answer(gathering, member, value)
    followup_round_close(round_id=round.pk, now=round.closes_at)
    moderator_client(client, gathering.community)

    one = client.get(
        url(gathering, "gathering_analytics"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    every = client.get(
        reverse("community_analytics", args=[gathering.community.slug]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    for html in (one, every):
        figures = html.split('id="followup-figures"')[1].split("</dl>")[0]
        assert [
            part.split("</strong>")[0] for part in figures.split("<strong>")[1:]
        ] == ["3", "1", "1"]
    assert "5 of 6 asked answered" in one


def test_while_open_the_organisers_see_no_count(client):
    gathering, members, _round = gathering_followed_up(attendees=6)
    for member in members:
        answer(gathering, member, "applied")

    html = (
        moderator_client(client, gathering.community)
        .get(url(gathering, "gathering_analytics"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )

    assert "The counts appear after" in html
    assert 'id="followup-figures"' not in html


@pytest.mark.parametrize("size", [1, 4])
def test_the_analytics_pages_take_as_many_queries_with_follow_ups(
    client, django_assert_max_num_queries, size
):
    from tests.events.factories import organiser_of as moderator_of

    community = None
    for _ in range(size):
        kwargs = {}
        if community is not None:
            kwargs = {"community": community, "organiser": moderator_of(community)}
        gathering, members, round = gathering_followed_up(attendees=5, **kwargs)
        community = gathering.community
        for member in members:
            answer(gathering, member, "partly")
        followup_round_close(round_id=round.pk, now=round.closes_at)
    moderator = member_create()
    Membership.objects.create(
        community=community, member=moderator, role=MembershipRole.MODERATOR
    )
    client.force_login(moderator)

    with django_assert_max_num_queries(14):
        overview = client.get(reverse("community_analytics", args=[community.slug]))
    with django_assert_max_num_queries(14):
        one = client.get(url(gathering, "gathering_analytics"))

    assert overview.status_code == one.status_code == 200
    assert f"<strong>{5 * size}</strong>" in overview.content.decode()


def test_once_counted_an_answer_no_longer_changes():
    gathering, members, round = gathering_followed_up(attendees=5)
    for member in members:
        answer(gathering, member, "applied")
    followup_round_close(round_id=round.pk, now=round.closes_at + timedelta(1))

    from events.errors import EventsError

    with pytest.raises(EventsError):
        answer(gathering, members[0], "not_yet")
    assert opened(members[0])["answer"] == "applied"
