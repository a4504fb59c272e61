"""moim-draw-v2 (issue #20, docs/draw.md sections 14-18): terms fixed at
opening and covered by the commitment, numbered amendments, the
per-community hash chain, the database guards, and every seat movement on
the record. Each attack the issue names fails here."""

import io
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from events import draw as algorithm
from events.beacon import QUICKNET, quicknet_round_time
from events.chain import log_entry_json
from events.errors import EventsError
from events.management.commands.verify_draw import beacon_valid
from events.models import (
    Amendment,
    Application,
    ApplicationStatus,
    Draw,
    FairnessPolicy,
    Gathering,
    LogEntry,
)
from events.selectors import draw_record_for_page
from events.services.beacon import beacon_round_enter
from events.services.draw import applications_freeze, draw_run
from events.services.gatherings import gathering_cancel, gathering_update
from events.services.lifecycle import gathering_advance_task
from events.services.offers import offer_decline
from events.services.seats import locked_gathering
from events.services.terms import terms_amend
from tests.beacon_rounds import BY_ROUND, ROUNDS, tampered_hex
from tests.events.factories import (
    advance,
    application_of,
    apply_all,
    by_rank,
    gathering_drawn,
    gathering_held,
    gathering_open,
    guards_bypassed,
    member_joined,
    members_joined,
    with_status,
)
from tests.factories import community_create

pytestmark = pytest.mark.django_db


def refused(statement):
    """Run ``statement`` in a savepoint; True if the database refused it."""
    try:
        with transaction.atomic():
            statement()
    except IntegrityError:
        return True
    return False


def chain_of(community_id: int) -> list[dict]:
    return [
        log_entry_json(entry)
        for entry in LogEntry.objects.filter(community_id=community_id)
        .select_related("gathering")
        .order_by("seq")
    ]


def published(gathering: Gathering) -> dict:
    return draw_record_for_page(gathering=Gathering.objects.get(pk=gathering.pk))


# --------------------------------------------------------------------------
# Terms at opening
# --------------------------------------------------------------------------


def test_opening_commits_seed_and_terms_together():
    gathering = gathering_open(capacity=3)

    terms = gathering.terms
    assert terms["algorithm"] == "moim-draw-v2"
    assert terms["capacity"] == 3
    assert terms["weights"]["loss_bonus"] == 5
    assert terms["beacon"] is None
    assert gathering.terms_digest == algorithm.terms_digest(terms)
    assert gathering.draw_commitment == algorithm.commitment_v2(
        bytes.fromhex(gathering.draw_seed), gathering.terms_digest
    )
    (entry,) = chain_of(gathering.community_id)
    assert entry["kind"] == "commitment"
    assert entry["payload"]["commitment"] == gathering.draw_commitment
    assert entry["payload"]["terms"] == terms


def test_the_drawn_record_is_v2_and_verifies():
    gathering, _ = gathering_drawn(capacity=2, applicants=6)

    record = published(gathering)

    assert record["algorithm"] == "moim-draw-v2"
    assert record["terms_digest"] == gathering.terms_digest
    assert record["commitment"] == gathering.draw_commitment
    assert record["amendments"] == []
    assert algorithm.verify(record) == []


def test_capacity_change_after_opening_is_refused_by_the_service():
    gathering = gathering_open(capacity=3)

    with pytest.raises(EventsError) as error:
        gathering_update(gathering=gathering, capacity=30)

    assert error.value.code == "cannot_edit"
    gathering.refresh_from_db()
    assert gathering.capacity == 3


def test_capacity_changed_in_the_database_after_opening_does_not_reach_the_draw():
    """The attack: someone with the database raises the seats after the
    opening, without an amendment. The draw follows the terms."""
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 6))
    Gathering.objects.filter(pk=gathering.pk).update(capacity=5)

    gathering = advance(gathering, gathering.applications_close_at)

    record = published(gathering)
    assert record["capacity"] == 2
    assert sum(e["outcome"] == "won" for e in record["entries"]) == 2
    assert len(with_status(gathering, ApplicationStatus.OFFERED)) == 2


def test_a_record_whose_capacity_differs_from_the_terms_fails():
    gathering, _ = gathering_drawn(capacity=2, applicants=6)
    record = published(gathering)
    # Re-rank with three seats: self-consistent as a v1 ranking, but not
    # what the terms say.
    record["entries"] = algorithm.rank(
        bytes.fromhex(record["seed"]), record["entries"], 3
    )
    record["capacity"] = 3
    record["seats"] = 3

    problems = algorithm.verify(record)

    assert "capacity is 3, the terms in force say 2" in problems


def test_a_policy_changed_after_opening_does_not_reach_the_draw():
    gathering = gathering_open(capacity=2)
    FairnessPolicy.objects.create(
        community=gathering.community, base_weight=30, company_cap=1
    )
    apply_all(gathering, members_joined(gathering.community, 3))

    gathering = advance(gathering, gathering.applications_close_at)

    record = published(gathering)
    assert {e["weight"] for e in record["entries"]} == {10}
    assert record["company_cap"] is None


# --------------------------------------------------------------------------
# Amendments
# --------------------------------------------------------------------------


def test_an_amendment_is_numbered_published_and_verified():
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 6))

    first = terms_amend(
        gathering=gathering, changes={"capacity": 3}, reason="더 큰 방을 구했어요"
    )
    second = terms_amend(
        gathering=gathering, changes={"capacity": 4}, reason="한 자리 더"
    )
    gathering = advance(gathering, gathering.applications_close_at)

    assert (first.number, second.number) == (1, 2)
    assert second.previous_digest == first.terms_digest
    record = published(gathering)
    assert [a["reason"] for a in record["amendments"]] == [
        "더 큰 방을 구했어요",
        "한 자리 더",
    ]
    assert record["capacity"] == 4
    assert algorithm.verify(record) == []
    kinds = [e["kind"] for e in chain_of(gathering.community_id)]
    assert kinds[:3] == ["commitment", "amendment", "amendment"]


def test_an_amendment_needs_a_reason_and_an_open_gathering():
    gathering = gathering_open(capacity=2)
    with pytest.raises(EventsError) as error:
        terms_amend(gathering=gathering, changes={"capacity": 3}, reason=" ")
    assert error.value.code == "amendment_invalid"
    with pytest.raises(EventsError) as error:
        terms_amend(gathering=gathering, changes={"selection_mode": "x"}, reason="r")
    assert error.value.code == "amendment_invalid"

    gathering = advance(gathering, gathering.applications_close_at)
    with pytest.raises(EventsError) as error:
        terms_amend(gathering=gathering, changes={"capacity": 3}, reason="late")
    assert error.value.code == "cannot_amend"
    assert not Amendment.objects.filter(gathering=gathering).exists()


def test_a_record_with_a_removed_amendment_fails():
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 5))
    terms_amend(gathering=gathering, changes={"capacity": 3}, reason="more room")
    gathering = advance(gathering, gathering.applications_close_at)
    record = published(gathering)

    record["amendments"] = []

    assert "capacity is 3, the terms in force say 2" in algorithm.verify(record)


def test_a_record_with_a_rewritten_amendment_fails():
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 5))
    terms_amend(gathering=gathering, changes={"capacity": 3}, reason="more room")
    gathering = advance(gathering, gathering.applications_close_at)
    record = published(gathering)

    record["amendments"][0]["changes"] = {"capacity": 3, "company_cap": 1}

    problems = algorithm.verify(record)
    assert "amendment 1: terms_digest is not the amended terms' digest" in problems


# --------------------------------------------------------------------------
# The database guards
# --------------------------------------------------------------------------


def test_the_database_refuses_changing_the_seed_after_opening():
    gathering = gathering_open()
    other = algorithm.new_seed().hex()

    assert refused(
        lambda: Gathering.objects.filter(pk=gathering.pk).update(draw_seed=other)
    )
    assert refused(
        lambda: Gathering.objects.filter(pk=gathering.pk).update(
            draw_commitment="0" * 64
        )
    )
    assert refused(lambda: Gathering.objects.filter(pk=gathering.pk).update(terms={}))
    gathering.refresh_from_db()
    assert gathering.draw_seed != other


def test_the_database_allows_a_new_seed_in_a_draft():
    gathering = gathering_open()
    draft = Gathering.objects.create(
        community=gathering.community,
        title="초안",
        starts_at=gathering.starts_at,
        ends_at=gathering.ends_at,
        capacity=2,
        applications_open_at=gathering.applications_open_at,
        applications_close_at=gathering.applications_close_at,
        created_by=gathering.created_by,
    )

    assert not refused(
        lambda: Gathering.objects.filter(pk=draft.pk).update(
            draw_seed=algorithm.new_seed().hex()
        )
    )


def test_the_database_refuses_changing_or_deleting_a_draw():
    gathering, _ = gathering_drawn()

    assert refused(lambda: Draw.objects.filter(gathering=gathering).update(record={}))
    assert refused(lambda: Draw.objects.filter(gathering=gathering).delete())
    with connection.cursor() as cursor:
        assert refused(
            lambda: cursor.execute(
                "DELETE FROM events_draw WHERE gathering_id = %s", [gathering.pk]
            )
        )
    assert Draw.objects.filter(gathering=gathering).exists()
    # The notices' mark is not part of the record.
    assert not refused(
        lambda: Draw.objects.filter(gathering=gathering).update(notices_sent_at=None)
    )


def test_a_drawn_gathering_cannot_be_deleted():
    gathering, _ = gathering_drawn()

    with pytest.raises(ProtectedError), transaction.atomic():
        Gathering.objects.get(pk=gathering.pk).delete()

    assert Draw.objects.filter(gathering=gathering).exists()


def test_the_database_refuses_changing_or_deleting_log_rows_and_amendments():
    gathering = gathering_open()
    terms_amend(gathering=gathering, changes={"capacity": 3}, reason="more room")
    entries = LogEntry.objects.filter(community_id=gathering.community_id)

    assert refused(lambda: entries.update(payload={}))
    assert refused(lambda: entries.delete())
    amendments = Amendment.objects.filter(gathering=gathering)
    assert refused(lambda: amendments.update(reason="something else"))
    assert refused(lambda: amendments.delete())
    assert entries.count() == 2


def _frozen(capacity: int = 2, applicants: int = 4) -> Gathering:
    """A lottery frozen at its close (weights, groups and the digest fixed),
    its draw not yet run."""
    gathering = gathering_open(capacity=capacity)
    apply_all(gathering, members_joined(gathering.community, applicants))
    with transaction.atomic():
        applications_freeze(
            locked_gathering(gathering.pk), gathering.applications_close_at
        )
        Gathering.objects.filter(pk=gathering.pk).update(status="closed")
    return Gathering.objects.get(pk=gathering.pk)


def test_the_database_refuses_moving_a_gathering_back_to_its_draft():
    """The attack: back to the draft, where the seed was free to change."""
    gathering = gathering_open()
    rows = Gathering.objects.filter(pk=gathering.pk)

    assert refused(lambda: rows.update(status="draft"))

    def in_two_steps():
        rows.update(status="draft")
        rows.update(draw_seed=algorithm.new_seed().hex())

    assert refused(in_two_steps)
    assert rows.get().status == "open"


def test_the_database_refuses_a_new_seed_once_committed_or_published():
    gathering = gathering_open()
    values = {
        "community": gathering.community,
        "title": "초안",
        "starts_at": gathering.starts_at,
        "ends_at": gathering.ends_at,
        "capacity": 2,
        "applications_open_at": gathering.applications_open_at,
        "applications_close_at": gathering.applications_close_at,
        "created_by": gathering.created_by,
    }
    seed = algorithm.new_seed()
    committed = Gathering.objects.create(
        **values, draw_seed=seed.hex(), draw_commitment=algorithm.commitment(seed)
    )
    published = Gathering.objects.create(
        **values, draw_seed=seed.hex(), published_at=gathering.applications_open_at
    )

    for draft in (committed, published):
        assert draft.status == "draft"
        assert refused(
            lambda draft=draft: Gathering.objects.filter(pk=draft.pk).update(
                draw_seed=algorithm.new_seed().hex()
            )
        )


def test_the_database_refuses_changing_or_clearing_frozen_at():
    gathering = _frozen()
    rows = Gathering.objects.filter(pk=gathering.pk)

    assert refused(lambda: rows.update(frozen_at=None))
    assert refused(
        lambda: rows.update(frozen_at=gathering.frozen_at + timedelta(seconds=1))
    )
    assert rows.get().frozen_at == gathering.frozen_at


def test_the_database_refuses_changing_the_frozen_list():
    """Weight, company group and public id are the draw's input once the
    list is published at the close; before it they are the app's to set."""
    open_one = gathering_open()
    apply_all(open_one, members_joined(open_one.community, 1))
    assert not refused(
        lambda: Application.objects.filter(gathering=open_one).update(weight=99)
    )
    gathering = _frozen()
    other = gathering_open()
    rows = Application.objects.filter(gathering=gathering)

    assert refused(lambda: rows.update(weight=99))
    assert refused(lambda: rows.update(group="0123456789abcdef"))
    first = rows.first()
    assert refused(lambda: rows.filter(pk=first.pk).update(public_id="someone-else"))
    assert refused(lambda: rows.update(gathering=other))
    # The draw still moves the applications on.
    assert not refused(lambda: rows.update(rank=1))


def test_the_draw_refuses_a_list_changed_since_the_close():
    """The attack: weights edited behind the app's back after the list was
    published. The draw would rank the new weights and publish a record
    that verifies against itself; it is refused instead."""
    gathering = _frozen()
    with guards_bypassed():
        Application.objects.filter(gathering=gathering).update(weight=99)

    with pytest.raises(EventsError) as error, transaction.atomic():
        draw_run(
            gathering=locked_gathering(gathering.pk),
            now=gathering.applications_close_at,
        )

    assert error.value.code == "frozen_list_changed"
    assert not Draw.objects.filter(gathering=gathering).exists()


def test_the_clock_leaves_a_changed_list_closed_and_pages_keep_answering(client):
    gathering = _frozen()
    Gathering.objects.filter(pk=gathering.pk).update(
        next_due_at=gathering.applications_close_at
    )
    with guards_bypassed():
        Application.objects.filter(gathering=gathering).update(weight=99)

    gathering = advance(gathering, gathering.applications_close_at + timedelta(1))

    assert gathering.status == "closed"
    assert not Draw.objects.filter(gathering=gathering).exists()
    page = client.get(
        reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])
    )
    assert page.status_code == 200


def test_the_draw_button_tells_the_organiser_the_list_changed():
    gathering = _frozen()
    with guards_bypassed():
        Application.objects.filter(gathering=gathering).update(weight=99)

    with pytest.raises(EventsError) as error:
        advance(
            gathering,
            gathering.applications_close_at + timedelta(1),
            drawn_by=gathering.created_by,
        )

    assert error.value.code == "frozen_list_changed"
    assert not Draw.objects.filter(gathering=gathering).exists()


def test_the_admin_deletes_no_draw_log_entry_or_amendment(staff_member):
    gathering, _ = gathering_drawn()
    request = RequestFactory().get("/")
    request.user = staff_member

    for model in (Draw, LogEntry, Amendment):
        assert not site._registry[model].has_delete_permission(request)
    assert not site._registry[Gathering].has_delete_permission(request, gathering)


# --------------------------------------------------------------------------
# The chain
# --------------------------------------------------------------------------


def test_the_chain_links_every_step_and_the_record_names_the_head_before():
    gathering, _ = gathering_drawn(capacity=2, applicants=4)

    chain = chain_of(gathering.community_id)

    assert algorithm.chain_problems(chain) == []
    assert [e["kind"] for e in chain[:3]] == ["commitment", "close", "draw"]
    record = published(gathering)
    assert record["chain_head"] == {"seq": 2, "digest": chain[1]["digest"]}
    assert chain[2]["payload"]["record_digest"] == algorithm.digest_of(
        Draw.objects.get(gathering=gathering).record
    )
    assert chain[0]["previous"] == algorithm.ZERO_DIGEST


def test_a_rewritten_chain_entry_is_detected():
    gathering, _ = gathering_drawn(capacity=2, applicants=4)
    chain = chain_of(gathering.community_id)

    chain[1]["payload"]["frozen_digest"] = "0" * 64

    assert algorithm.chain_problems(chain) == [
        "log entry 2: digest does not match its content"
    ]


def test_the_gathering_page_shows_the_log_head_and_the_amendments(client):
    gathering = gathering_open(capacity=2)
    terms_amend(gathering=gathering, changes={"capacity": 3}, reason="더 큰 방")
    head = LogEntry.objects.filter(community_id=gathering.community_id).latest("seq")

    page = client.get(
        reverse("gathering_detail", args=[gathering.community.slug, gathering.pk]),
        headers={"accept-language": "en"},
    )

    text = page.content.decode()
    assert head.digest[:16] in text
    assert "더 큰 방" in text
    assert gathering.terms_digest in text
    assert "No public randomness beacon is configured" in text


# --------------------------------------------------------------------------
# Seat movements
# --------------------------------------------------------------------------


def test_every_seat_movement_is_on_the_record_and_verifies():
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    first_winner = by_rank(gathering)[0]

    offer_decline(member=first_winner.member, gathering=gathering)

    record = published(gathering)
    moves = [
        (m["payload"]["movement"], m["payload"]["public_id"])
        for m in record["movements"]
    ]
    ranked = [a.public_id for a in by_rank(gathering)]
    assert moves == [
        ("offer", ranked[0]),
        ("offer", ranked[1]),
        ("decline", ranked[0]),
        ("promote", ranked[2]),
    ]
    assert algorithm.verify(record) == []


def test_a_promotion_out_of_rank_order_fails():
    """The attack: a seat given back goes to someone further down the
    waitlist. The movement is on the record, and verify refuses it."""
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    first_winner = by_rank(gathering)[0]
    offer_decline(member=first_winner.member, gathering=gathering)
    record = published(gathering)
    promotion = record["movements"][-1]
    assert promotion["payload"]["movement"] == "promote"

    skipped = by_rank(gathering)[3].public_id
    promotion["payload"]["public_id"] = skipped
    promotion["digest"] = algorithm.chain_entry_digest(promotion)

    problems = algorithm.verify(record)

    assert any("out of rank order" in p for p in problems)


def test_a_promotion_with_no_free_seat_fails():
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    record = published(gathering)
    forged = {
        **record["movements"][-1],
        "seq": 99,
        "payload": {
            "movement": "promote",
            "public_id": by_rank(gathering)[2].public_id,
            "reason": "seat free",
        },
    }
    forged["digest"] = algorithm.chain_entry_digest(forged)

    problems = algorithm.verify({**record, "movements": [*record["movements"], forged]})

    assert any("no seat was free" in p for p in problems)


def test_promotions_respect_the_company_cap():
    """Before v2 a promotion followed rank alone and could exceed the cap:
    here the only member outside the capped company gives their seat back,
    and every one waiting works where a winner already holds a seat."""
    community = community_create()
    FairnessPolicy.objects.create(community=community, company_cap=1)
    gathering = gathering_open(community=community, capacity=2)
    assert gathering.terms["company_cap"] == 1
    verified_at = gathering.applications_open_at
    acme = [
        member_joined(
            community,
            work_email=f"worker{i}@acme.example",
            work_email_verified_at=verified_at,
        )
        for i in range(4)
    ]
    outsider = members_joined(community, 1)[0]
    apply_all(gathering, [*acme, outsider])
    gathering = advance(gathering, gathering.applications_close_at)
    offered = with_status(gathering, ApplicationStatus.OFFERED)
    assert len(offered) == 2
    assert outsider in [a.member for a in offered]

    offer_decline(member=outsider, gathering=gathering)

    offered = with_status(gathering, ApplicationStatus.OFFERED)
    assert len(offered) == 1
    assert offered[0].group
    assert len(with_status(gathering, ApplicationStatus.WAITLISTED)) == 3
    record = published(gathering)
    assert record["movements"][-1]["payload"]["movement"] == "decline"
    assert algorithm.verify(record) == []


# --------------------------------------------------------------------------
# The beacon (events.beacon, a drand relay of our own on 127.0.0.1)
# --------------------------------------------------------------------------


def test_with_a_beacon_the_terms_name_the_first_round_after_the_close(beacon_server):
    gathering = gathering_open()

    named = gathering.terms["beacon"]

    assert named["chain"] == QUICKNET.hash
    assert quicknet_round_time(named["round"]) > gathering.applications_close_at
    assert quicknet_round_time(named["round"] - 1) <= gathering.applications_close_at


def test_the_draw_waits_for_the_round_and_the_list_is_published_at_close(
    beacon_server, client
):
    gathering = gathering_open(capacity=2)
    applicants = members_joined(gathering.community, 4)
    apply_all(gathering, applicants)

    gathering = advance(gathering, gathering.applications_close_at)

    assert gathering.status == "closed"
    assert not Draw.objects.filter(gathering=gathering).exists()
    assert gathering.next_due_at is not None
    listed = published(gathering)
    assert listed["stage"] == "frozen"
    assert "seed" not in listed
    assert len(listed["entries"]) == 4
    assert algorithm.frozen_digest(listed["entries"]) == gathering.frozen_digest
    kinds = [e["kind"] for e in chain_of(gathering.community_id)]
    assert kinds == ["commitment", "close"]
    page = client.get(
        reverse("draw_record", args=[gathering.community.slug, gathering.pk])
    )
    assert page.status_code == 200
    assert page.json()["frozen_digest"] == gathering.frozen_digest
    # Each applicant sees their own entry of the published list.
    mine = application_of(gathering, applicants[0])
    client.force_login(applicants[0])
    page = client.get(
        reverse("gathering_detail", args=[gathering.community.slug, gathering.pk]),
        headers={"accept-language": "en"},
    )
    assert (
        f"Your entry in the published list: <code>{mine.public_id}</code>, "
        f"weight {mine.weight} (tenths)"
    ) in page.content.decode()
    named = gathering.terms["beacon"]["round"]
    assert f"The draw mixes in round {named} of the drand quicknet" in (
        page.content.decode()
    )


def _gathering_around_round(round: int) -> Gathering:
    """A lottery whose applications close one second before quicknet's
    ``round`` (a recorded one, in the past), published and opened."""
    community = community_create()
    organiser = member_joined(community)
    closes = quicknet_round_time(round) - timedelta(seconds=1)
    seed = algorithm.new_seed()
    gathering = Gathering.objects.create(
        community=community,
        title="비콘 추첨",
        starts_at=closes + timedelta(days=2),
        ends_at=closes + timedelta(days=2, hours=2),
        capacity=2,
        applications_open_at=closes - timedelta(days=2),
        applications_close_at=closes,
        draw_seed=seed.hex(),
        draw_commitment=algorithm.commitment(seed),
        created_by=organiser,
        published_at=closes - timedelta(days=3),
        next_due_at=closes - timedelta(days=2),
    )
    return advance(gathering, gathering.applications_open_at)


def test_the_draw_mixes_in_the_named_round_and_verify_checks_its_signature(
    beacon_server,
):
    gathering = _gathering_around_round(123)
    assert gathering.terms["beacon"]["round"] == 123
    apply_all(gathering, members_joined(gathering.community, 5))

    gathering = advance(gathering, gathering.applications_close_at)

    assert gathering.status == "drawn"
    record = published(gathering)
    recorded = next(r for r in ROUNDS if r.round == 123)
    assert record["beacon"] == {
        "chain": QUICKNET.hash,
        "round": 123,
        "randomness": recorded.randomness,
        "signature": recorded.signature,
    }
    effective = algorithm.effective_seed(
        bytes.fromhex(record["seed"]), bytes.fromhex(recorded.randomness)
    )
    ranks = {
        e["public_id"]: e["rank"]
        for e in algorithm.rank(effective, record["entries"], 2)
    }
    assert ranks == {e["public_id"]: e["rank"] for e in record["entries"]}
    assert algorithm.verify(record, beacon_verify=beacon_valid) == []

    forged = {
        **record,
        "beacon": {
            **record["beacon"],
            "signature": tampered_hex(recorded.signature),
        },
    }
    assert "the beacon signature does not verify" in algorithm.verify(
        forged, beacon_verify=beacon_valid
    )
    out = io.StringIO()
    call_command("verify_draw", str(gathering.pk), stdout=out)
    assert out.getvalue().strip() == "match"


def test_a_page_request_never_waits_on_the_beacons_relays(beacon_server, client):
    """A page that finds the draw due uses only a round already stored; the
    relays, which may take seconds each, are asked by the queued job."""
    gathering = _gathering_around_round(123)
    apply_all(gathering, members_joined(gathering.community, 3))
    detail = reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])

    assert client.get(detail).status_code == 200

    assert beacon_server.requests == []
    gathering.refresh_from_db()
    assert gathering.status == "closed"
    assert gathering.next_due_at is not None

    gathering_advance_task.call(gathering_id=gathering.pk)

    assert beacon_server.requests == [f"/{QUICKNET.hash}/public/123"]
    assert Draw.objects.get(gathering=gathering).record["beacon"]["round"] == 123


def test_a_page_request_draws_with_a_round_entered_by_hand(beacon_server, client):
    gathering = _gathering_around_round(123)
    apply_all(gathering, members_joined(gathering.community, 3))
    beacon_round_enter(round=123, signature=bytes.fromhex(BY_ROUND[123].signature))

    client.get(
        reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])
    )

    assert Draw.objects.get(gathering=gathering).record["beacon"]["round"] == 123
    assert beacon_server.requests == []


def test_a_record_without_the_named_round_fails(beacon_server):
    gathering = _gathering_around_round(123)
    apply_all(gathering, members_joined(gathering.community, 3))
    gathering = advance(gathering, gathering.applications_close_at)
    record = published(gathering)

    problems = algorithm.verify({**record, "beacon": None})

    assert "the terms name a beacon round; the record has no beacon" in problems


def test_verify_draw_checks_a_stored_v2_draw_and_its_chain():
    gathering, _ = gathering_drawn(capacity=2, applicants=5)
    offer_decline(member=by_rank(gathering)[0].member, gathering=gathering)
    out = io.StringIO()
    call_command("verify_draw", str(gathering.pk), stdout=out)
    assert out.getvalue().strip() == "match"

    close = LogEntry.objects.get(gathering=gathering, kind="close")
    with guards_bypassed():
        LogEntry.objects.filter(pk=close.pk).update(payload={"entries": 99})
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_draw", str(gathering.pk), stdout=out)
    assert (
        f"mismatch: log entry {close.seq}: digest does not match its content"
        in out.getvalue()
    )


def test_a_gathering_cancelled_after_the_close_reveals_its_seed(beacon_server):
    gathering = gathering_open(capacity=2)
    apply_all(gathering, members_joined(gathering.community, 3))
    gathering = advance(gathering, gathering.applications_close_at)
    assert gathering.status == "closed"  # waiting for its beacon round

    gathering_cancel(gathering=gathering, reason="연사 사정")

    cancel = chain_of(gathering.community_id)[-1]
    assert cancel["kind"] == "cancel"
    assert cancel["payload"]["seed"] == gathering.draw_seed
    seed = bytes.fromhex(cancel["payload"]["seed"])
    assert algorithm.commitment_v2(seed, gathering.terms_digest) == (
        gathering.draw_commitment
    )


# --------------------------------------------------------------------------
# Overbooking from measured no-shows
# --------------------------------------------------------------------------


def test_overbooking_offers_seats_by_the_measured_attendance_fixed_in_the_terms():
    """20 confirmed seats in the community's past, 16 attended: a rate of
    0.8, so 1250 per mille is fixed at opening and 4 seats offer 5."""
    held, _ = gathering_held(attendees=20, no_shows=4)
    FairnessPolicy.objects.create(community=held.community, overbooking=True)
    gathering = gathering_open(community=held.community, capacity=4)
    assert gathering.terms["overbooking_permille"] == 1250
    apply_all(gathering, members_joined(gathering.community, 8))

    gathering = advance(gathering, gathering.applications_close_at)

    record = published(gathering)
    assert (record["capacity"], record["seats"]) == (4, 5)
    assert len(with_status(gathering, ApplicationStatus.OFFERED)) == 5
    assert algorithm.verify(record) == []


def test_without_enough_history_there_is_no_overbooking():
    held, _ = gathering_held(attendees=6, no_shows=3)
    FairnessPolicy.objects.create(community=held.community, overbooking=True)

    gathering = gathering_open(community=held.community, capacity=4)

    assert gathering.terms["overbooking_permille"] is None


def test_an_organiser_publishes_an_amendment_from_its_page(client):
    gathering = gathering_open(capacity=2)
    client.force_login(gathering.created_by)
    url = reverse("gathering_amend", args=[gathering.community.slug, gathering.pk])
    body = {"capacity": "3", "claim_window_hours": "24", "offer_cutoff_hours": "2"}

    refused = client.post(url, {**body, "reason": " "})
    published_page = client.post(url, {**body, "reason": "더 큰 방을 구했어요"})

    assert refused.status_code == 400
    assert published_page.status_code == 302
    (amendment,) = Amendment.objects.filter(gathering=gathering)
    assert (amendment.number, amendment.changes) == (1, {"capacity": 3})
    gathering.refresh_from_db()
    assert gathering.capacity == 3


def test_an_unchanged_amendment_is_refused_in_korean_for_a_korean_request(client):
    gathering = gathering_open(capacity=2)
    client.force_login(gathering.created_by)
    url = reverse("gathering_amend", args=[gathering.community.slug, gathering.pk])
    terms = gathering.terms
    unchanged = {
        "capacity": str(terms["capacity"]),
        "claim_window_hours": str(terms["claim_window_seconds"] // 3600),
        "offer_cutoff_hours": str(terms["offer_cutoff_seconds"] // 3600),
        "reason": "그대로 둬요",
    }

    response = client.post(url, unchanged, HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 400
    assert "이 수정 공지는 올바르지 않아요: 바뀌는 내용이 없어요" in (
        response.content.decode()
    )
    assert "changes nothing" not in response.content.decode()
    assert not Amendment.objects.filter(gathering=gathering).exists()


@pytest.mark.parametrize(
    ("changes", "reason", "ko", "en"),
    [
        (
            {"capacity": 3},
            "가" * 301,
            "1~300자의 사유가 필요해요",
            "1 to 300 characters",
        ),
        (
            {"selection_mode": "x"},
            "r",
            "selection_mode 항목은 수정할 수 없어요",
            "cannot",
        ),
        ({"capacity": 0}, "r", "정원 항목은 정수여야 해요", "Seats must be a whole"),
        (
            {"company_cap": 0},
            "r",
            "인증된 회사별 최대 당첨 인원 항목은 비워 두거나 1 이상이어야 해요",
            "must be empty or at least 1",
        ),
    ],
)
def test_an_amendment_problem_reads_in_the_language_it_is_shown_in(
    changes, reason, ko, en
):
    gathering = gathering_open(capacity=2)
    with pytest.raises(EventsError) as error:
        terms_amend(gathering=gathering, changes=changes, reason=reason)

    assert error.value.code == "amendment_invalid"
    with translation.override("ko"):
        assert ko in error.value.message
    with translation.override("en"):
        assert en in error.value.message
