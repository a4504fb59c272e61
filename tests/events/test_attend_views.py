"""The member-facing gathering pages (events/views/attend.py): who may see
what, applying, withdrawing and answering a seat offer through the views, the
draw record, "my gatherings", and the video link that no page ever shows."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events.join_tokens import join_path
from events.models import (
    Application,
    ApplicationStatus,
    Gathering,
    GatheringStatus,
    JoinPass,
    SelectionMode,
)
from events.services import applications as application_services
from events.services import gatherings as gathering_services
from events.services.lifecycle import gathering_advance
from events.services.offers import offer_confirm
from tests.community.forum_data import community_make, join
from tests.factories import member_create

pytestmark = pytest.mark.django_db

MARKER = "https://zoom.example/j/MARKER-123"


# ---------------------------------------------------------------------------
# Builders (test_join.py uses them too)
# ---------------------------------------------------------------------------


def gathering_make(community, *, by=None, publish=True, **fields) -> Gathering:
    """A lottery gathering open for applications now, starting in two days,
    with the marker as its video link."""
    now = timezone.now()
    by = by or member_create()
    starts = now + timedelta(days=2)
    values = {
        "title": "퍼포먼스 마케터끼리 만나요",
        "description": "**함께** 이야기해요",
        "video_link": MARKER,
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": 2,
        "applications_open_at": now - timedelta(hours=1),
        "applications_close_at": now + timedelta(days=1),
        "motivation_prompt": "왜 참여하고 싶나요?",
        "questions": ["지금 하는 일은?"],
    }
    values.update(fields)
    gathering = gathering_services.gathering_create(
        community=community, created_by=by, **values
    )
    if publish:
        gathering = gathering_services.gathering_publish(gathering=gathering)
    return gathering


def apply(member, gathering, **fields) -> Application:
    fields.setdefault("motivation", "배우고 싶어요")
    return application_services.application_submit(
        member=member, gathering=gathering, **fields
    )


def close_and_draw(gathering) -> Gathering:
    """Move the close into the past (as time would) and let the lifecycle
    freeze the list and run the draw."""
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_close_at=now - timedelta(minutes=1),
        next_due_at=now - timedelta(minutes=1),
    )
    return gathering_advance(gathering_id=gathering.pk, now=now)


def release_link(gathering) -> None:
    """Release time in the past without moving the start (nor the offer
    cut-off, which would close the waitlist)."""
    Gathering.objects.filter(pk=gathering.pk).update(
        link_release_before=timedelta(days=3)
    )


def detail_url(gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


def action_url(name, gathering) -> str:
    return reverse(name, args=[gathering.community.slug, gathering.pk])


@pytest.fixture
def owner():
    return member_create()


@pytest.fixture
def community(owner):
    return community_make(owner=owner)


@pytest.fixture
def private_community(owner):
    return community_make(owner=owner, public_read=False)


@pytest.fixture
def gathering(community, owner):
    return gathering_make(community, by=owner)


def joined(community, **fields):
    member = member_create(**fields)
    join(member, community)
    return member


def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# ---------------------------------------------------------------------------
# The gathering page: who sees it
# ---------------------------------------------------------------------------


def test_anonymous_reads_a_gathering_of_a_public_community(client, gathering):
    response = client.get(detail_url(gathering))
    assert response.status_code == 200
    assert gathering.title in response.text
    assert gathering.draw_commitment in response.text
    assert "Sign in to apply" in english(client).get(detail_url(gathering)).text


def test_description_is_rendered_as_sanitised_html(client, community, owner):
    gathering = gathering_make(
        community, by=owner, description="**굵게** <script>alert(1)</script>"
    )
    response = client.get(detail_url(gathering))
    assert "<strong>굵게</strong>" in response.text
    assert "<script>alert(1)" not in response.text


def test_members_only_community_hides_its_gatherings_from_outsiders(
    client, private_community, owner
):
    gathering = gathering_make(private_community, by=owner)
    assert client.get(detail_url(gathering)).status_code == 403
    client.force_login(member_create())
    assert client.get(detail_url(gathering)).status_code == 403
    client.force_login(joined(private_community))
    assert client.get(detail_url(gathering)).status_code == 200


def test_a_gathering_of_another_community_is_not_found(client, gathering):
    other = community_make()
    url = reverse("gathering_detail", args=[other.slug, gathering.pk])
    assert client.get(url).status_code == 404


def test_a_draft_is_seen_by_its_organisers_only(client, community, owner):
    draft = gathering_make(community, by=owner, publish=False)
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(joined(community))
    assert client.get(detail_url(draft)).status_code == 404
    client.force_login(owner)  # the community's owner moderates it
    assert client.get(detail_url(draft)).status_code == 200
    host = joined(community)
    draft.hosts.add(host)
    client.force_login(host)
    assert client.get(detail_url(draft)).status_code == 200


def test_organisers_get_a_link_to_the_dashboard_and_members_do_not(
    client, gathering, community, owner
):
    client.force_login(owner)
    response = client.get(detail_url(gathering))
    manage = f"/c/{community.slug}/g/{gathering.pk}/manage/"
    if "gathering_manage" in _url_names():
        assert manage in response.text
    client.force_login(joined(community))
    assert manage not in client.get(detail_url(gathering)).text


def _url_names() -> set[str]:
    from django.urls import get_resolver

    return {name for name in get_resolver().reverse_dict if isinstance(name, str)}


def test_the_page_shows_times_in_seoul(client, community, owner):
    starts = (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )  # 10:00 UTC is 19:00 in Seoul
    gathering = gathering_make(
        community, by=owner, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    response = english(client).get(detail_url(gathering))
    assert "7:00–9:00 PM" in response.text
    assert "p.m." not in response.text


def test_the_korean_page_says_오후_before_the_time_and_the_day_once(
    client, community, owner
):
    starts = (timezone.now() + timedelta(days=3)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )  # 19:00 in Seoul
    gathering = gathering_make(
        community, by=owner, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    text = client.get(detail_url(gathering), headers={"accept-language": "ko"}).text
    seoul = timezone.localtime(starts)
    day = f"{seoul.month}월 {seoul.day}일 ({'월화수목금토일'[seoul.weekday()]})"
    assert re.search(re.escape(day) + r"\s+오후 7:00–9:00", text)
    assert "7:00 오후" not in text


def test_add_to_calendar_links_carry_public_facts_only(client, gathering):
    response = client.get(detail_url(gathering))
    links = re.findall(r'href="(https://calendar\.google\.com[^"]+)"', response.text)
    assert len(links) == 1
    assert "MARKER" not in links[0]
    assert "action=TEMPLATE" in links[0]


def test_the_commitment_is_shown_and_the_draw_record_linked_after_the_draw(
    client, gathering, community
):
    record_url = action_url("draw_record", gathering)
    assert record_url not in client.get(detail_url(gathering)).text
    apply(joined(community), gathering)
    close_and_draw(gathering)
    response = client.get(detail_url(gathering))
    assert gathering.draw_commitment in response.text
    assert record_url in response.text


def test_the_page_applies_a_due_transition_on_access(client, gathering, community):
    apply(joined(community), gathering)
    Gathering.objects.filter(pk=gathering.pk).update(
        applications_close_at=timezone.now() - timedelta(minutes=1),
        next_due_at=timezone.now() - timedelta(minutes=1),
    )
    client.get(detail_url(gathering))
    gathering.refresh_from_db()
    assert gathering.status == GatheringStatus.DRAWN


# ---------------------------------------------------------------------------
# The viewer's own application
# ---------------------------------------------------------------------------


def test_an_applicant_sees_status_public_id_and_chance(client, gathering, community):
    member = joined(community)
    application = apply(member, gathering)
    for _ in range(3):
        apply(joined(community), gathering)
    client.force_login(member)
    response = english(client).get(detail_url(gathering))
    assert application.public_id in response.text
    assert "Applied" in response.text
    # 4 equal weights for 2 seats: an even chance.
    assert "about 50%" in response.text
    assert "4 members" in response.text


def test_the_chance_follows_the_fairness_weights(client, community, owner):
    earlier = gathering_make(community, by=owner, capacity=1)
    lucky, unlucky = joined(community), joined(community)
    apply(lucky, earlier)
    apply(unlucky, earlier)
    Application.objects.filter(gathering=earlier).update(
        status=ApplicationStatus.NOT_SELECTED
    )
    Application.objects.filter(gathering=earlier, member=lucky).update(
        status=ApplicationStatus.CONFIRMED
    )
    gathering = gathering_make(community, by=owner, capacity=1)
    apply(lucky, gathering)
    apply(unlucky, gathering)
    client.force_login(unlucky)
    # Base 10 plus one loss (5) against 10: 15 / 25.
    assert "about 60%" in english(client).get(detail_url(gathering)).text


def test_a_waitlisted_member_sees_their_position(client, community, owner):
    gathering = gathering_make(community, by=owner, capacity=1)
    members = [joined(community) for _ in range(3)]
    for member in members:
        apply(member, gathering)
    close_and_draw(gathering)
    waiting = Application.objects.get(
        gathering=gathering, status=ApplicationStatus.WAITLISTED, waitlist_position=2
    )
    client.force_login(waiting.member)
    response = english(client).get(detail_url(gathering))
    assert "Waitlisted" in response.text
    assert "number 2" in response.text


def test_a_winner_sees_the_deadline_and_confirm_and_decline(
    client, gathering, community
):
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    client.force_login(member)
    response = english(client).get(detail_url(gathering))
    assert "Confirm by" in response.text
    assert action_url("offer_confirm", gathering) in response.text
    assert action_url("offer_decline", gathering) in response.text


def test_an_attendee_sees_when_the_join_link_comes(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    offer_confirm(member=member, gathering=gathering)
    client.force_login(member)
    response = english(client).get(detail_url(gathering))
    assert "available from" in response.text
    assert "/join/" not in response.text


def test_an_attendee_gets_the_join_url_from_the_release(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    application = offer_confirm(member=member, gathering=gathering)
    release_link(gathering)
    client.force_login(member)
    response = client.get(detail_url(gathering))
    path = join_path(JoinPass.objects.get(application=application))
    assert path in response.text
    assert MARKER not in response.text


def test_an_ineligible_member_reads_why_instead_of_a_form(client, community, owner):
    gathering = gathering_make(community, by=owner, require_work_verified=True)
    client.force_login(joined(community))
    response = english(client).get(detail_url(gathering))
    assert "verified at work" in response.text
    assert action_url("gathering_apply", gathering) not in response.text


def test_a_non_member_is_offered_to_join_the_community(client, gathering, community):
    client.force_login(member_create())
    response = english(client).get(detail_url(gathering))
    assert "Join the community to apply." in response.text
    assert reverse("community_join", args=[community.slug]) in response.text


def test_before_the_window_the_page_says_when_it_opens(client, community, owner):
    gathering = gathering_make(
        community,
        by=owner,
        applications_open_at=timezone.now() + timedelta(hours=3),
    )
    client.force_login(joined(community))
    response = english(client).get(detail_url(gathering))
    assert "Applications open on" in response.text


# ---------------------------------------------------------------------------
# Applying, withdrawing, answering an offer
# ---------------------------------------------------------------------------


def test_anonymous_posts_go_to_sign_in(client, gathering):
    for name in [
        "gathering_apply",
        "gathering_withdraw",
        "offer_confirm",
        "offer_decline",
    ]:
        response = client.post(action_url(name, gathering))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]
    assert not Application.objects.exists()


def test_actions_refuse_get(client, gathering, community):
    client.force_login(joined(community))
    for name in [
        "gathering_apply",
        "gathering_withdraw",
        "offer_confirm",
        "offer_decline",
    ]:
        assert client.get(action_url(name, gathering)).status_code == 405


def test_a_member_applies_through_the_form(client, gathering, community):
    member = joined(community)
    client.force_login(member)
    response = client.post(
        action_url("gathering_apply", gathering),
        {"motivation": "  같이 배우고 싶어요 ", "answer_0": "백엔드 개발"},
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(gathering)
    application = Application.objects.get(gathering=gathering, member=member)
    assert application.status == ApplicationStatus.APPLIED
    assert application.motivation == "같이 배우고 싶어요"
    assert application.answers == ["백엔드 개발"]


def test_first_come_applying_confirms_a_seat_at_once(client, community, owner):
    gathering = gathering_make(
        community, by=owner, selection_mode=SelectionMode.FIRST_COME
    )
    member = joined(community)
    client.force_login(member)
    client.post(action_url("gathering_apply", gathering), {"motivation": "네"})
    assert Application.objects.get(member=member).status == ApplicationStatus.CONFIRMED


def test_a_missing_motivation_re_renders_the_form_and_stores_nothing(
    client, gathering, community
):
    client.force_login(joined(community))
    response = client.post(action_url("gathering_apply", gathering), {})
    assert response.status_code == 400
    assert 'id="id_motivation"' in response.text
    assert not Application.objects.exists()


def test_a_too_long_answer_is_refused(client, gathering, community):
    client.force_login(joined(community))
    response = client.post(
        action_url("gathering_apply", gathering),
        {"motivation": "네", "answer_0": "가" * 501},
    )
    assert response.status_code == 400
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "who", ["outsider", "banned", "unverified_at_work", "already_applied"]
)
def test_a_refused_application_is_a_message_and_stores_nothing(
    client, community, owner, who
):
    from community.models import Sanction, SanctionKind

    gathering = gathering_make(community, by=owner, require_work_verified=True)
    member = member_create()
    if who != "outsider":
        join(member, community)
    if who == "banned":
        Sanction.objects.create(
            community=community,
            member=member,
            kind=SanctionKind.BAN,
            reason="x",
            created_by=owner,
        )
    if who == "already_applied":
        Gathering.objects.filter(pk=gathering.pk).update(require_work_verified=False)
        gathering.refresh_from_db()
        apply(member, gathering)
    before = list(Application.objects.values_list("pk", "status", "motivation"))
    client.force_login(member)
    response = client.post(
        action_url("gathering_apply", gathering),
        {"motivation": "다시", "answer_0": ""},
        follow=True,
    )
    assert response.status_code in {200, 403}
    assert list(Application.objects.values_list("pk", "status", "motivation")) == (
        before
    )
    assert response.redirect_chain == [] or response.redirect_chain[0][1] == 302
    if response.status_code == 200:
        assert "message-error" in response.text


def test_applying_after_the_close_is_refused(client, gathering, community):
    member = joined(community)
    apply(joined(community), gathering)
    close_and_draw(gathering)
    client.force_login(member)
    english(client)
    response = client.post(
        action_url("gathering_apply", gathering), {"motivation": "늦었어요"}
    )
    assert response.status_code == 302
    assert not Application.objects.filter(member=member).exists()
    page = client.get(response["Location"])
    assert "Applications are not open." in page.text


def test_a_member_withdraws_and_may_apply_again(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    client.force_login(member)
    client.post(action_url("gathering_withdraw", gathering))
    application = Application.objects.get(member=member)
    assert application.status == ApplicationStatus.WITHDRAWN
    response = client.get(detail_url(gathering))
    assert action_url("gathering_apply", gathering) in response.text
    client.post(action_url("gathering_apply", gathering), {"motivation": "다시요"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPLIED


def test_between_the_close_and_the_draw_no_withdrawal_is_offered(
    client, gathering, community
):
    """The frozen list is the draw record's input: the service refuses a
    withdrawal then, so the pages offer none (events.access
    .withdraw_refusal is the one rule)."""
    member = joined(community)
    apply(member, gathering)
    now = timezone.now()
    Gathering.objects.filter(pk=gathering.pk).update(
        status=GatheringStatus.CLOSED,
        applications_close_at=now - timedelta(minutes=1),
        frozen_at=now,
        next_due_at=now + timedelta(days=1),
    )
    client.force_login(member)
    withdraw = action_url("gathering_withdraw", gathering)
    assert withdraw not in client.get(detail_url(gathering)).text
    assert withdraw not in client.get(reverse("my_gatherings")).text
    english(client)
    response = client.post(withdraw, follow=True)
    assert "This application can no longer be withdrawn." in response.text
    application = Application.objects.get(member=member)
    assert application.status == ApplicationStatus.APPLIED


def test_withdrawing_without_an_application_is_refused(client, gathering, community):
    client.force_login(joined(community))
    english(client)
    response = client.post(action_url("gathering_withdraw", gathering), follow=True)
    assert "This application can no longer be withdrawn." in response.text
    assert not Application.objects.exists()


def test_a_winner_confirms_through_the_view(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    client.force_login(member)
    client.post(action_url("offer_confirm", gathering))
    application = Application.objects.get(member=member)
    assert application.status == ApplicationStatus.CONFIRMED
    assert JoinPass.objects.filter(application=application).exists()


def test_declining_passes_the_seat_to_the_next_member(client, community, owner):
    gathering = gathering_make(community, by=owner, capacity=1)
    members = [joined(community) for _ in range(2)]
    for member in members:
        apply(member, gathering)
    close_and_draw(gathering)
    winner = Application.objects.get(
        gathering=gathering, status=ApplicationStatus.OFFERED
    )
    client.force_login(winner.member)
    client.post(action_url("offer_decline", gathering))
    statuses = dict(
        Application.objects.filter(gathering=gathering).values_list(
            "member_id", "status"
        )
    )
    assert statuses[winner.member_id] == ApplicationStatus.DECLINED
    assert sorted(statuses.values()) == [
        ApplicationStatus.DECLINED,
        ApplicationStatus.OFFERED,
    ]


def test_confirming_without_an_offer_is_refused(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    client.force_login(member)
    english(client)
    for name in ["offer_confirm", "offer_decline"]:
        response = client.post(action_url(name, gathering), follow=True)
        assert "You have no seat offer to answer." in response.text
    assert Application.objects.get(member=member).status == ApplicationStatus.APPLIED


def test_an_expired_offer_cannot_be_confirmed(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    Application.objects.filter(member=member).update(
        offer_expires_at=timezone.now() - timedelta(seconds=1)
    )
    client.force_login(member)
    client.post(action_url("offer_confirm", gathering))
    assert Application.objects.get(member=member).status != ApplicationStatus.CONFIRMED


def test_actions_on_a_draft_are_not_found(client, community, owner):
    draft = gathering_make(community, by=owner, publish=False)
    client.force_login(joined(community))
    response = client.post(action_url("gathering_apply", draft), {"motivation": "네"})
    assert response.status_code == 404


# ---------------------------------------------------------------------------
# The draw record
# ---------------------------------------------------------------------------


def test_the_draw_record_is_not_found_before_the_draw(client, gathering):
    assert client.get(action_url("draw_record", gathering)).status_code == 404


def test_the_draw_record_is_published_as_json(client, gathering, community):
    members = [joined(community) for _ in range(3)]
    for member in members:
        apply(member, gathering)
    close_and_draw(gathering)
    response = client.get(action_url("draw_record", gathering))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    record = json.loads(response.content)
    assert record["commitment"] == gathering.draw_commitment
    assert len(record["entries"]) == 3
    assert {e["public_id"] for e in record["entries"]} == set(
        Application.objects.values_list("public_id", flat=True)
    )
    text = response.content.decode()
    assert MARKER not in text
    for member in members:
        assert member.real_name not in text
        assert member.email not in text


def test_the_draw_record_follows_the_community_read_rules(client, private_community):
    gathering = gathering_make(private_community)
    apply(joined(private_community), gathering)
    close_and_draw(gathering)
    url = action_url("draw_record", gathering)
    assert client.get(url).status_code == 403
    client.force_login(joined(private_community))
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------
# My gatherings
# ---------------------------------------------------------------------------


def test_my_gatherings_requires_sign_in(client):
    response = client.get(reverse("my_gatherings"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_my_gatherings_lists_applications_and_hosted_gatherings(
    client, community, owner
):
    member = joined(community)
    waiting_for_draw = gathering_make(community, by=owner, title="추첨 전")
    won = gathering_make(community, by=owner, title="당첨", capacity=1)
    hosted = gathering_make(community, by=member, title="내가 여는 모임")
    apply(member, waiting_for_draw)
    apply(member, won)
    close_and_draw(won)
    client.force_login(member)
    response = english(client).get(reverse("my_gatherings"))
    text = response.text
    assert response.status_code == 200
    assert "추첨 전" in text and "당첨" in text and "내가 여는 모임" in text
    assert "Seat offered" in text and "Confirm by" in text
    assert action_url("draw_results", won) in text
    assert detail_url(hosted) in text
    assert MARKER not in text


def test_my_gatherings_shows_only_the_members_own(client, gathering, community):
    mine, theirs = joined(community), joined(community)
    theirs_application = apply(theirs, gathering)
    client.force_login(mine)
    response = client.get(reverse("my_gatherings"))
    assert theirs_application.public_id not in response.text


def test_my_gatherings_shows_the_join_url_once_released(client, gathering, community):
    member = joined(community)
    apply(member, gathering)
    close_and_draw(gathering)
    application = offer_confirm(member=member, gathering=gathering)
    client.force_login(member)
    path = join_path(JoinPass.objects.get(application=application))
    assert path not in client.get(reverse("my_gatherings")).text
    release_link(gathering)
    assert path in client.get(reverse("my_gatherings")).text


# ---------------------------------------------------------------------------
# The video link appears in no page body, for anyone
# ---------------------------------------------------------------------------


def test_the_video_link_appears_in_no_page_for_any_kind_of_user(
    client, community, owner
):
    gathering = gathering_make(community, by=owner, capacity=1)
    host = joined(community)
    gathering.hosts.add(host)
    winner, loser = joined(community), joined(community)
    apply(winner, gathering)
    apply(loser, gathering)
    close_and_draw(gathering)
    offered = Application.objects.get(
        gathering=gathering, status=ApplicationStatus.OFFERED
    ).member
    offer_confirm(member=offered, gathering=gathering)
    release_link(gathering)
    viewers = [
        None,
        member_create(),
        joined(community),
        winner,
        loser,
        host,
        owner,
        member_create(is_staff=True),
    ]
    urls = [
        detail_url(gathering),
        action_url("draw_record", gathering),
        reverse("my_gatherings"),
        reverse("community_detail", args=[community.slug]),
    ]
    for viewer in viewers:
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        for url in urls:
            response = client.get(url, follow=True)
            assert MARKER not in response.content.decode(), (viewer, url)
            assert "MARKER-123" not in response.content.decode(), (viewer, url)
        for name in [
            "gathering_apply",
            "gathering_withdraw",
            "offer_confirm",
            "offer_decline",
        ]:
            response = client.post(action_url(name, gathering), follow=True)
            assert "MARKER-123" not in response.content.decode(), (viewer, name)


# ---------------------------------------------------------------------------
# The community page's upcoming gatherings
# ---------------------------------------------------------------------------


def test_upcoming_gatherings_lists_published_gatherings_only(community, owner, rf):
    from django.template.loader import render_to_string

    from events.selectors import gatherings_upcoming

    published = gathering_make(community, by=owner, title="공개된 모임")
    gathering_make(community, by=owner, title="초안 모임", publish=False)
    html = render_to_string(
        "events/partials/upcoming_gatherings.html",
        {
            "community": community,
            "gatherings": gatherings_upcoming(community=community, now=timezone.now()),
        },
        request=rf.get("/"),
    )
    assert "공개된 모임" in html
    assert detail_url(published) in html
    assert "초안 모임" not in html
    assert "MARKER-123" not in html


def test_signed_in_members_find_my_gatherings_in_the_navigation(client, member):
    assert reverse("my_gatherings") not in client.get(reverse("home")).text
    client.force_login(member)
    assert reverse("my_gatherings") in client.get(reverse("home")).text


# ---------------------------------------------------------------------------
# Query counts, pinned at two sizes
# ---------------------------------------------------------------------------


def _crowd(gathering, size):
    """``size`` applications straight to the database: the page's reads are
    under test here, not applying."""
    members = [member_create() for _ in range(size)]
    Application.objects.bulk_create(
        Application(gathering=gathering, member=member) for member in members
    )


@pytest.mark.parametrize("size", [5, 200])
def test_gathering_detail_query_count_is_constant(
    client, community, owner, django_assert_max_num_queries, size
):
    gathering = gathering_make(community, by=owner)
    viewer = joined(community)
    apply(viewer, gathering)
    _crowd(gathering, size)
    client.force_login(viewer)
    client.get(detail_url(gathering))  # warm the session and caches
    with django_assert_max_num_queries(DETAIL_OPEN_QUERIES):
        response = client.get(detail_url(gathering))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_gathering_detail_after_the_draw_query_count_is_constant(
    client, community, owner, django_assert_max_num_queries, size
):
    gathering = gathering_make(community, by=owner, capacity=1)
    viewer = joined(community)
    apply(viewer, gathering)
    _crowd(gathering, size)
    close_and_draw(gathering)
    client.force_login(viewer)
    client.get(detail_url(gathering))
    with django_assert_max_num_queries(DETAIL_DRAWN_QUERIES):
        response = client.get(detail_url(gathering))
    assert response.status_code == 200


@pytest.mark.parametrize("size", [5, 200])
def test_my_gatherings_query_count_is_constant(
    client, community, owner, django_assert_max_num_queries, size
):
    member = joined(community)
    template = gathering_make(community, by=owner)
    fields = {
        f.name: getattr(template, f.name)
        for f in Gathering._meta.concrete_fields
        if f.name not in {"id", "uid"}
    }
    gatherings = Gathering.objects.bulk_create(Gathering(**fields) for _ in range(size))
    applications = Application.objects.bulk_create(
        Application(
            gathering=g,
            member=member,
            status=ApplicationStatus.CONFIRMED if i % 2 else ApplicationStatus.APPLIED,
        )
        for i, g in enumerate(gatherings)
    )
    JoinPass.objects.bulk_create(
        JoinPass(application=a)
        for a in applications
        if a.status == ApplicationStatus.CONFIRMED
    )
    for g in gatherings[: size // 2]:
        g.hosts.add(member)
    client.force_login(member)
    client.get(reverse("my_gatherings"))
    with django_assert_max_num_queries(MY_GATHERINGS_QUERIES):
        response = client.get(reverse("my_gatherings"))
    assert response.status_code == 200
    assert response.text.count('class="card my-application"') == size


# Session, member, community, membership, sanctions, gathering, counts,
# hosts, own application and pass, the chance (applications, policy and
# three for the weights), notifications badge; the draw log's head and
# the committed terms' amendments.
DETAIL_OPEN_QUERIES = 17
# The same without the chance, with the draw's existence.
DETAIL_DRAWN_QUERIES = 13
# Session, member, due gatherings, applications with passes and draws,
# hosted gatherings, notifications badge.
MY_GATHERINGS_QUERIES = 6


def test_the_community_page_lists_its_upcoming_gatherings(client, community, gathering):
    html = client.get(reverse("community_detail", args=[community.slug])).text
    assert detail_url(gathering) in html


def test_after_the_window_anonymous_visitors_are_not_invited_to_apply(
    client, gathering
):
    Gathering.objects.filter(pk=gathering.pk).update(
        status=GatheringStatus.DRAWN, next_due_at=None
    )
    html = english(client).get(detail_url(gathering)).text
    assert "Sign in to apply" not in html
    assert "Applications are closed" in html


def test_after_close_the_page_publishes_the_frozen_list_digest(client, gathering):
    from events.services.lifecycle import gathering_advance

    gathering = gathering_advance(
        gathering_id=gathering.pk, now=gathering.applications_close_at
    )
    assert gathering.frozen_digest
    assert gathering.frozen_digest in client.get(detail_url(gathering)).text
