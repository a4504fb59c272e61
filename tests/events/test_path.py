"""A member's path: takeaways (attendees only, after the end, private by
default), the path page showing each item as its owner chose (private,
community members, public), the owner's exports, and pinned query counts."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from community.models import Board, Comment, Community, Thread, ThreadTag
from community.services.threads import helpful_mark
from events.errors import EventsError
from events.models import PathVisibility, Takeaway
from events.services.path import path_visibility_set, takeaway_save
from tests.events.factories import (
    gathering_drawn,
    gathering_held,
    member_joined,
)
from tests.factories import member_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


LEARNED = "어트리뷰션 창을 7일로 줄이는 실험을 배웠다"


def path_of(client, member) -> str:
    return client.get(reverse("member_path", args=[member.public_id])).content.decode()


def helpful_answer(community: Community, author, asker) -> Thread:
    board = Board.objects.create(community=community, slug="qna", name="질문")
    thread = Thread.objects.create(
        community=community,
        board=board,
        author=asker,
        tag=ThreadTag.QUESTION,
        title="GA4 전환 이벤트 어떻게 옮기셨나요?",
        body="질문",
        body_html="<p>질문</p>",
    )
    comment = Comment.objects.create(
        thread=thread, author=author, body="이렇게 했어요", body_html="<p>…</p>"
    )
    helpful_mark(member=asker, thread=thread, comment=comment)
    return thread


def test_an_attendee_keeps_a_private_takeaway_after_the_gathering():
    gathering, members = gathering_held(attendees=2)

    takeaway = takeaway_save(
        member=members[0], gathering=gathering, learned=LEARNED, will_apply="적용"
    )
    again = takeaway_save(member=members[0], gathering=gathering, learned="고쳐 씀")

    assert takeaway.visibility == PathVisibility.PRIVATE
    assert again.pk == takeaway.pk
    assert Takeaway.objects.get().learned == "고쳐 씀"


@pytest.mark.parametrize(
    ("who", "code"),
    [("outsider", "takeaway_not_attendee"), ("early", "takeaway_too_early")],
)
def test_a_takeaway_is_refused_to_non_attendees_and_before_the_end(who, code):
    if who == "early":
        gathering, members = gathering_drawn(capacity=1, applicants=1)
        member = members[0]
    else:
        gathering, _ = gathering_held(attendees=1)
        member = member_joined(gathering.community)

    with pytest.raises(EventsError) as refused:
        takeaway_save(member=member, gathering=gathering, learned=LEARNED)

    assert refused.value.code == code
    assert not Takeaway.objects.exists()


def test_the_owner_sees_every_item_and_others_only_what_it_allows(client):
    gathering, members = gathering_held(attendees=2)
    owner = members[0]
    takeaway_save(member=owner, gathering=gathering, learned=LEARNED)
    neighbour = member_joined(gathering.community)
    stranger = member_create()

    client.force_login(owner)
    own = path_of(client, owner)
    client.force_login(neighbour)
    for_neighbour = path_of(client, owner)
    client.force_login(stranger)
    for_stranger = path_of(client, owner)
    client.logout()
    for_visitor = path_of(client, owner)

    assert gathering.title in own and LEARNED in own
    # Attended: community members by default; the takeaway: private.
    assert gathering.title in for_neighbour and LEARNED not in for_neighbour
    assert gathering.title not in for_stranger
    assert gathering.title not in for_visitor


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


def test_the_owners_page_is_never_stored_and_a_readers_only_kept_private(client):
    """The owner's page holds what only they may see (private items, their
    follow-up answers, their signed credentials): no browser or proxy keeps
    it. Another reader's page is private to them, and may be kept."""
    gathering, members = gathering_held(attendees=1)
    owner = members[0]
    url = reverse("member_path", args=[owner.public_id])

    client.force_login(owner)
    own = client.get(url)
    client.force_login(member_joined(gathering.community))
    for_neighbour = client.get(url)
    client.logout()
    for_visitor = client.get(url)

    assert {"no-store", "private"} <= cache_directives(own)
    for response in (for_neighbour, for_visitor):
        assert "private" in cache_directives(response)
        assert not any(d.startswith("no-store") for d in cache_directives(response))


def test_a_published_takeaway_shows_to_everyone(client):
    gathering, members = gathering_held(attendees=1)
    takeaway = takeaway_save(
        member=members[0],
        gathering=gathering,
        learned=LEARNED,
        visibility=PathVisibility.PUBLIC,
    )

    html = path_of(client, members[0])

    assert LEARNED in html
    assert f'id="item-takeaway-{takeaway.pk}"' in html


def test_the_owner_chooses_who_sees_each_item_through_the_page(client):
    gathering, members = gathering_held(attendees=1)
    owner = members[0]
    client.force_login(owner)

    response = client.post(
        reverse("path_visibility"),
        {"kind": "attended", "object_id": gathering.pk, "visibility": "private"},
    )
    client.force_login(member_joined(gathering.community))

    assert response.status_code == 302
    assert gathering.title not in path_of(client, owner)


def test_nobody_sets_the_visibility_of_an_item_not_on_their_path():
    gathering, _ = gathering_held(attendees=1)
    outsider = member_joined(gathering.community)

    with pytest.raises(EventsError):
        path_visibility_set(
            member=outsider,
            kind="attended",
            object_id=gathering.pk,
            visibility="public",
        )


def test_hosted_gatherings_and_helpful_answers_are_on_the_path(client):
    gathering, members = gathering_held(attendees=1)
    host = gathering.created_by
    gathering.hosts.add(host)
    thread = helpful_answer(gathering.community, author=host, asker=members[0])
    path_visibility_set(
        member=host, kind="helpful", object_id=thread.pk, visibility="public"
    )

    html = path_of(client, host)

    assert gathering.title in html
    assert thread.title in html


def test_public_items_of_a_members_only_community_stay_within_it(client):
    gathering, members = gathering_held(attendees=1)
    Community.objects.filter(pk=gathering.community_id).update(public_read=False)
    takeaway_save(
        member=members[0],
        gathering=gathering,
        learned=LEARNED,
        visibility=PathVisibility.PUBLIC,
    )

    assert LEARNED not in path_of(client, members[0])


def test_the_owner_exports_the_path_as_json_and_ics(client):
    gathering, members = gathering_held(attendees=1)
    takeaway_save(member=members[0], gathering=gathering, learned=LEARNED)
    client.force_login(members[0])

    data = json.loads(client.get(reverse("path_json")).content)
    ics = Calendar.from_ical(client.get(reverse("path_ics")).content)

    assert [item["kind"] for item in data["items"]] == ["attended", "takeaway"]
    assert data["items"][1]["learned"] == LEARNED
    events = ics.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"{gathering.uid}@moim"]
    assert "MARKER" not in client.get(reverse("path_ics")).content.decode()


@pytest.mark.parametrize("name", ["path_json", "path_ics"])
def test_exports_need_a_signed_in_member(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302


@pytest.mark.parametrize("size", [1, 6])
def test_the_path_page_takes_as_many_queries_at_any_length(
    client, django_assert_max_num_queries, size
):
    member = None
    for _ in range(size):
        gathering, members = gathering_held(attendees=1)
        if member is None:
            member = members[0]
        else:
            from events.models import Application

            Application.objects.filter(gathering=gathering).update(member=member)
        takeaway_save(
            member=member,
            gathering=gathering,
            learned=LEARNED,
            visibility=PathVisibility.PUBLIC,
        )
    viewer = member_create()
    client.force_login(viewer)

    # Ten before experiences joined the path; their one query is the 11th,
    # the member's follow-up answers the 12th.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("member_path", args=[member.public_id]))

    assert response.status_code == 200
    assert response.content.decode().count(LEARNED) == size


@pytest.mark.parametrize("size", [1, 5])
def test_the_community_page_trend_takes_as_many_queries(
    client, django_assert_max_num_queries, size
):
    from events.models import Survey
    from events.services.surveys import response_submit
    from tests.events.factories import advance, organiser_of, survey_answers

    community = None
    for _ in range(size):
        kwargs = {"community": community} if community else {}
        if community:
            kwargs["organiser"] = organiser_of(community)
        gathering, members = gathering_held(attendees=5, **kwargs)
        community = gathering.community
        survey = Survey.objects.get(gathering=gathering)
        for member in members:
            response_submit(
                member=member,
                gathering=gathering,
                answers=survey_answers(4),
                now=survey.opens_at + timedelta(minutes=1),
            )
        advance(gathering, survey.closes_at)

    # The community, then its boards, moderators, gatherings, trend and
    # threads in one statement (community.selectors.community_page).
    with django_assert_max_num_queries(2):
        html = client.get(
            reverse("community_detail", args=[community.slug])
        ).content.decode()

    assert html.count('class="trend-point"') == size


def test_the_owner_is_offered_a_takeaway_for_each_gathering_without_one(client):
    gathering, members = gathering_held(attendees=1)
    client.force_login(members[0])
    link = reverse("takeaway_edit", args=[gathering.community.slug, gathering.pk])

    before = path_of(client, members[0])
    takeaway_save(member=members[0], gathering=gathering, learned=LEARNED)
    after = path_of(client, members[0])

    assert "Write my takeaway" in before and link in before
    assert "Write my takeaway" not in after and "Edit my takeaway" in after
