"""The follow-up (events.services.followups): who is asked, when, once; the
answer, changed while open; the close that counts from k (docs/anonymity.md,
"The follow-up")."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.test import override_settings

from community.access import access_for
from community.models import (
    Notification,
    NotificationChannel,
    NotificationTopic,
    SanctionKind,
)
from community.services.communities import community_leave
from community.services.leaving import member_delete
from community.services.moderation import sanction_impose
from community.services.preferences import preferences_update
from events.errors import EventsError
from events.followup_box import followup_unseal
from events.models import FollowUp, FollowUpOutcome, FollowUpRound
from events.services import followups
from events.services.followups import (
    followup_answer,
    followup_round_close,
    followups_run,
)
from events.services.path import takeaway_save
from tests.events.factories import (
    gathering_followed_up,
    gathering_held,
    mails_to,
    notices_to,
    organiser_of,
)

pytestmark = pytest.mark.django_db

DAYS_30 = timedelta(days=30)


def _with_takeaways(attendees=4, takeaways=None, **kwargs):
    gathering, members = gathering_held(attendees=attendees, **kwargs)
    for member in members[: attendees if takeaways is None else takeaways]:
        takeaway_save(member=member, gathering=gathering, learned="배운 점")
    return gathering, members


def asked(gathering) -> set[int]:
    return set(
        FollowUp.objects.filter(round__gathering=gathering).values_list(
            "member_id", flat=True
        )
    )


# --- Asking ------------------------------------------------------------------


def test_nobody_is_asked_before_thirty_days_after_the_end():
    gathering, _members = _with_takeaways()

    followups_run(now=gathering.ends_at + DAYS_30 - timedelta(minutes=1))

    assert not FollowUpRound.objects.filter(gathering=gathering).exists()
    assert asked(gathering) == set()


def test_at_thirty_days_only_attendees_with_a_takeaway_are_asked():
    gathering, members = _with_takeaways(attendees=4, takeaways=2)

    followups_run(now=gathering.ends_at + DAYS_30)

    assert asked(gathering) == {members[0].pk, members[1].pk}


@override_settings(MOIM_FOLLOWUP_AFTER_DAYS=10)
def test_the_delay_is_a_setting():
    gathering, members = _with_takeaways(attendees=3)

    followups_run(now=gathering.ends_at + timedelta(days=10))

    assert asked(gathering) == {m.pk for m in members}


def test_each_is_asked_in_app_and_by_email_in_their_language():
    gathering, members = _with_takeaways(attendees=2)
    members[1].language = "ko"
    members[1].save(update_fields=["language"])

    followups_run(now=gathering.ends_at + DAYS_30)

    assert len(notices_to(members[0], "Did you apply it?")) == 1
    assert len(mails_to(members[0], "Did you apply it?")) == 1
    assert len(notices_to(members[1], "실천해 봤나요?")) == 1
    assert len(mails_to(members[1], "실천해 봤나요?")) == 1


def test_the_question_follows_the_members_settings_and_its_mail_can_be_unsubscribed():
    gathering, members = _with_takeaways(attendees=2)
    preferences_update(
        member=members[1],
        choices={(NotificationTopic.FOLLOW_UP, NotificationChannel.EMAIL): False},
    )

    followups_run(now=gathering.ends_at + DAYS_30)

    (message,) = mails_to(members[0], "Did you apply it?")
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )
    assert "/unsubscribe/" in message.extra_headers["List-Unsubscribe"]
    assert "/unsubscribe/" in message.body
    # Switched off by mail: still asked, in the app only.
    assert asked(gathering) == {m.pk for m in members}
    assert mails_to(members[1], "Did you apply it?") == []
    assert len(notices_to(members[1], "Did you apply it?")) == 1


def test_a_second_run_asks_nobody_twice():
    gathering, _members = _with_takeaways(attendees=3)
    followups_run(now=gathering.ends_at + DAYS_30)
    notifications, mails = Notification.objects.count(), len(mail.outbox)

    assert followups_run(now=gathering.ends_at + DAYS_30 + timedelta(hours=1)) == (
        0,
        0,
    )

    assert FollowUp.objects.filter(round__gathering=gathering).count() == 3
    assert (Notification.objects.count(), len(mail.outbox)) == (notifications, mails)


def test_a_run_that_dies_halfway_stores_nothing_and_the_next_asks_everyone_once(
    monkeypatch,
):
    gathering, members = _with_takeaways(attendees=3)

    def worker_killed(**kwargs):
        raise RuntimeError("worker stopped")

    monkeypatch.setattr(followups, "notices_send", worker_killed)
    with pytest.raises(RuntimeError):
        followups_run(now=gathering.ends_at + DAYS_30)
    assert not FollowUpRound.objects.exists()
    assert asked(gathering) == set()
    monkeypatch.undo()

    followups_run(now=gathering.ends_at + DAYS_30 + timedelta(hours=1))
    followups_run(now=gathering.ends_at + DAYS_30 + timedelta(hours=2))

    assert asked(gathering) == {m.pk for m in members}
    for member in members:
        assert len(mails_to(member, "Did you apply it?")) == 1


def test_a_late_run_still_asks_but_not_after_the_question_would_have_closed():
    late, late_members = _with_takeaways(attendees=2)
    followups_run(now=late.ends_at + DAYS_30 + timedelta(days=29))
    assert asked(late) == {m.pk for m in late_members}

    old, _members = _with_takeaways(attendees=2)
    followups_run(now=old.ends_at + DAYS_30 + DAYS_30)
    assert asked(old) == set()


def test_banned_members_members_who_left_no_shows_and_organisers_are_not_asked():
    from events.services.attendance import checkin_record
    from tests.events.factories import application_of

    gathering, members = _with_takeaways(attendees=5)
    kept, banned, left, host, no_show = members
    community = gathering.community
    moderator = organiser_of(community)
    # Recorded as a no-show after writing a takeaway (check-in corrected).
    checkin_record(
        gathering=gathering,
        attended={application_of(gathering, m).pk: m != no_show for m in members},
    )
    sanction_impose(
        access=access_for(moderator, community),
        member=banned,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )
    member_delete(member=left)
    gathering.hosts.add(host)

    followups_run(now=gathering.ends_at + DAYS_30)

    assert asked(gathering) == {kept.pk}


# --- Answering -----------------------------------------------------------------


def _answer(gathering, member, answer, note="", now=None):
    return followup_answer(
        access=access_for(member, gathering.community),
        gathering=gathering,
        answer=answer,
        note=note,
        now=now,
    )


def _opened(followup):
    followup.refresh_from_db()
    return followup_unseal(
        round_id=followup.round_id, member_id=followup.member_id, box=followup.box
    )


def test_an_answer_is_stored_sealed_in_the_members_own_copy():
    gathering, members, _round = gathering_followed_up(attendees=3)

    followup = _answer(gathering, members[0], "partly", note="팀 회의에 적용")

    assert b"partly" not in bytes(followup.box)
    assert _opened(followup) == {"answer": "partly", "note": "팀 회의에 적용"}
    assert not FollowUpOutcome.objects.exists()


def test_changing_the_answer_while_open_replaces_it():
    gathering, members, _round = gathering_followed_up(attendees=3)
    _answer(gathering, members[0], "not_yet")

    followup = _answer(gathering, members[0], "applied", note="결국 했어요")

    assert _opened(followup) == {"answer": "applied", "note": "결국 했어요"}
    assert FollowUp.objects.filter(member=members[0]).count() == 1


def test_an_unknown_answer_or_a_long_note_is_refused_and_nothing_changes():
    gathering, members, _round = gathering_followed_up(attendees=3)
    _answer(gathering, members[0], "partly")

    for answer, note in (("maybe", ""), ("applied", "가" * 501)):
        with pytest.raises(EventsError):
            _answer(gathering, members[0], answer, note)

    assert _opened(FollowUp.objects.get(member=members[0]))["answer"] == "partly"


def test_nobody_answers_a_question_not_asked_to_them():
    gathering, members, _round = gathering_followed_up(attendees=3, takeaways=1)

    with pytest.raises(EventsError) as refused:
        _answer(gathering, members[1], "applied")

    assert refused.value.code == "followup_none"


def test_after_the_close_the_answer_can_no_longer_change():
    gathering, members, round = gathering_followed_up(attendees=3)
    _answer(gathering, members[0], "partly")

    with pytest.raises(EventsError) as refused:
        _answer(gathering, members[0], "applied", now=round.closes_at)

    assert refused.value.code == "followup_closed"


def test_a_member_banned_after_being_asked_cannot_answer():
    gathering, members, _round = gathering_followed_up(attendees=3)
    sanction_impose(
        access=access_for(organiser_of(gathering.community), gathering.community),
        member=members[0],
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )

    with pytest.raises(EventsError) as refused:
        _answer(gathering, members[0], "applied")

    assert refused.value.code == "banned"


def test_a_member_who_left_the_community_after_being_asked_cannot_answer():
    gathering, members, _round = gathering_followed_up(attendees=3)
    community_leave(access=access_for(members[0], gathering.community))

    with pytest.raises(EventsError) as refused:
        _answer(gathering, members[0], "applied")

    assert refused.value.code == "followup_not_member"
    assert FollowUp.objects.get(member=members[0]).box is None


# --- The close: counts from k, once ---------------------------------------------


def outcomes(round) -> list[str]:
    return sorted(
        FollowUpOutcome.objects.filter(round=round).values_list("answer", flat=True)
    )


def test_from_k_answers_the_close_writes_one_outcome_per_final_answer():
    gathering, members, round = gathering_followed_up(attendees=6)
    for member, answer in zip(
        members, ["applied", "applied", "partly", "not_yet", "not_yet"], strict=False
    ):
        _answer(gathering, member, answer)
    # A change of mind counts once, as its last answer.
    _answer(gathering, members[3], "applied")

    assert followup_round_close(round_id=round.pk, now=round.closes_at)

    round.refresh_from_db()
    assert round.closed and round.answered_count == 5
    assert outcomes(round) == ["applied", "applied", "applied", "not_yet", "partly"]


def test_below_k_the_close_keeps_only_how_many_answered():
    gathering, members, round = gathering_followed_up(attendees=6)
    for member in members[:4]:
        _answer(gathering, member, "applied")

    followups_run(now=round.closes_at)

    round.refresh_from_db()
    assert (round.closed, round.answered_count) == (True, 4)
    assert outcomes(round) == []


def test_the_close_happens_once_and_not_before_its_time():
    gathering, members, round = gathering_followed_up(attendees=5)
    for member in members:
        _answer(gathering, member, "partly")

    assert followups_run(now=round.closes_at - timedelta(seconds=1)) == (0, 0)
    assert followups_run(now=round.closes_at) == (0, 1)
    assert followups_run(now=round.closes_at + timedelta(hours=1)) == (0, 0)

    assert outcomes(round) == ["partly"] * 5


def test_k_is_the_surveys_k():
    from events.models import Survey

    gathering, _members = _with_takeaways(attendees=3)
    Survey.objects.filter(gathering=gathering).update(min_responses=3)
    followups_run(now=gathering.ends_at + DAYS_30)

    assert FollowUpRound.objects.get(gathering=gathering).min_answers == 3


def test_an_answer_no_key_opens_stops_the_close_until_the_old_key_is_back(caplog):
    gathering, members, round = gathering_followed_up(attendees=5)
    with override_settings(SECRET_KEY="an-old-secret-" + "x" * 40):
        for member in members:
            _answer(gathering, member, "applied")

    with caplog.at_level(logging.ERROR, logger="events.services.followups"):
        assert not followup_round_close(round_id=round.pk, now=round.closes_at)
    round.refresh_from_db()
    assert not round.closed and outcomes(round) == []
    assert "5 answers cannot be opened" in caplog.text

    with override_settings(SECRET_KEY_FALLBACKS=["an-old-secret-" + "x" * 40]):
        assert followup_round_close(round_id=round.pk, now=round.closes_at)
    assert outcomes(round) == ["applied"] * 5


# --- Leaving ---------------------------------------------------------------------


def test_leaving_deletes_the_members_answers_and_keeps_the_anonymous_counts():
    gathering, members, round = gathering_followed_up(attendees=5)
    for member in members:
        _answer(gathering, member, "applied")
    followups_run(now=round.closes_at)

    member_delete(member=members[0])

    assert not FollowUp.objects.filter(member=members[0]).exists()
    assert outcomes(round) == ["applied"] * 5


def test_the_personal_data_export_holds_the_members_own_answers():
    from community.personal_data import path

    gathering, members, _round = gathering_followed_up(attendees=3)
    _answer(gathering, members[0], "partly", note="조금 했어요")

    exported = path(members[0])["followups"]

    assert [(row["answer"], row["note"]) for row in exported] == [
        ("partly", "조금 했어요")
    ]
    assert path(members[1])["followups"][0]["answer"] == ""
