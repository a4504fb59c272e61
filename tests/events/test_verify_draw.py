"""``manage.py verify_draw``: a stored draw, or a downloaded record, is
recomputed from the record alone; any tampering makes it fail."""

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from events import draw as algorithm
from events.models import (
    Application,
    ApplicationStatus,
    Draw,
    FairnessPolicy,
    Gathering,
    GatheringStatus,
)
from events.services.draw import applications_freeze, draw_run
from tests.events.factories import guards_bypassed
from tests.factories import community_create, member_create

ROOT = Path(__file__).resolve().parents[2]


def run(*args, stdin=None):
    """call_command, returning (stdout, CommandError or None)."""
    out = io.StringIO()
    try:
        call_command("verify_draw", *args, stdout=out, stdin=stdin)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.fixture
def drawn(db):
    """A closed lottery gathering with 9 applications (three from one
    verified company, capped at one winner) drawn by the app's own code."""
    now = timezone.now()
    community = community_create()
    FairnessPolicy.objects.create(community=community, company_cap=1)
    organiser = member_create()
    seed = algorithm.new_seed()
    gathering = Gathering.objects.create(
        community=community,
        title="퍼포먼스 마케터끼리 만나요",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
        capacity=4,
        applications_open_at=now - timedelta(days=2),
        applications_close_at=now - timedelta(minutes=1),
        status=GatheringStatus.CLOSED,
        draw_seed=seed.hex(),
        draw_commitment=algorithm.commitment(seed),
        created_by=organiser,
    )
    for i in range(9):
        at_work = {}
        if i < 3:
            at_work = {
                "work_email": f"worker{i}@acme.example",
                "work_email_verified_at": now - timedelta(days=10),
            }
        Application.objects.create(
            gathering=gathering,
            member=member_create(**at_work),
            status=ApplicationStatus.APPLIED,
        )
    applications_freeze(gathering, now)
    draw_run(gathering=gathering, now=now)
    gathering.refresh_from_db()
    return gathering


def store(gathering, record):
    """Rewrite the stored record as the database's owner could."""
    with guards_bypassed():
        Draw.objects.filter(gathering=gathering).update(record=record)


def test_a_stored_draw_matches(drawn):
    record = Draw.objects.get(gathering=drawn).record
    assert record["algorithm"] == "moim-draw-v1"
    assert len(record["entries"]) == 9
    assert sum(e["group"] is not None for e in record["entries"]) == 3
    out, error = run(str(drawn.pk))
    assert error is None
    assert out.strip() == "match"


def test_a_stored_draw_is_found_by_uid(drawn):
    out, error = run(str(drawn.uid))
    assert error is None and out.strip() == "match"


def test_a_tampered_stored_record_fails(drawn):
    record = Draw.objects.get(gathering=drawn).record
    first, second = record["entries"][0], record["entries"][1]
    first["rank"], second["rank"] = second["rank"], first["rank"]
    store(drawn, record)
    out, error = run(str(drawn.pk))
    assert error is not None
    assert f"mismatch: entry {first['public_id']}: rank is 2, the draw gives 1" in out
    # The applications still carry the ranks the draw gave them.
    assert f"application {first['public_id']} has rank 1 in the database" in out


def test_a_self_consistent_record_with_another_seed_fails(drawn):
    """A record re-drawn under a new seed verifies on its own, but not
    against the commitment published when applications opened."""
    record = Draw.objects.get(gathering=drawn).record
    other = algorithm.record(
        algorithm.new_seed(),
        record["entries"],
        record["capacity"],
        record["company_cap"],
        gathering=record["gathering"],
    )
    assert algorithm.verify(other) == []
    store(drawn, other)
    out, error = run(str(drawn.pk))
    assert error is not None
    assert "the record's commitment" in out
    assert "the record's seed" in out


def test_a_list_changed_after_close_fails(drawn):
    """Re-weighting an entry and recomputing everything still differs from
    the digest recorded at close."""
    record = Draw.objects.get(gathering=drawn).record
    entries = record["entries"]
    entries[-1]["weight"] = 1000
    seed = bytes.fromhex(record["seed"])
    redone = algorithm.record(
        seed,
        entries,
        record["capacity"],
        record["company_cap"],
        gathering=record["gathering"],
    )
    assert algorithm.verify(redone) == []
    store(drawn, redone)
    out, error = run(str(drawn.pk))
    assert error is not None
    assert "the record's frozen digest" in out


def test_a_gathering_without_a_draw(db):
    organiser = member_create()
    now = timezone.now()
    gathering = Gathering.objects.create(
        community=community_create(),
        title="아직",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=1),
        capacity=5,
        applications_open_at=now,
        applications_close_at=now + timedelta(days=1),
        created_by=organiser,
    )
    _, error = run(str(gathering.pk))
    assert "has no draw" in str(error)
    _, error = run("not-a-gathering")
    assert "neither a gathering id nor a uid" in str(error)


def test_a_gathering_or_a_file_not_both_nor_neither(tmp_path):
    _, error = run()
    assert "either" in str(error)
    _, error = run("1", "--file", str(tmp_path / "x.json"))
    assert "either" in str(error)


# --------------------------------------------------------------------------
# --file: no database involved
# --------------------------------------------------------------------------


def downloaded_record():
    entries = [
        {"public_id": f"{i:010x}", "weight": 10 + 5 * (i % 3), "group": None}
        for i in range(12)
    ]
    return algorithm.record(
        bytes(range(32)), entries, 5, None, gathering={"uid": "x", "title": "t"}
    )


def test_a_downloaded_record_matches(tmp_path):
    path = tmp_path / "record.json"
    path.write_text(json.dumps(downloaded_record()), encoding="utf-8")
    out, error = run("--file", str(path))
    assert error is None and out.strip() == "match"


def test_a_tampered_downloaded_record_fails(tmp_path):
    record = downloaded_record()
    loser = next(e for e in record["entries"] if e["outcome"] == "waitlisted")
    loser["outcome"], loser["waitlist_position"] = "won", None
    path = tmp_path / "record.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    out, error = run("--file", str(path))
    assert error is not None
    assert f'mismatch: entry {loser["public_id"]}: outcome is "won"' in out


def test_a_record_on_standard_input():
    out, error = run("--file", "-", stdin=io.StringIO(json.dumps(downloaded_record())))
    assert error is None and out.strip() == "match"


def test_an_unreadable_file(tmp_path):
    _, error = run("--file", str(tmp_path / "missing.json"))
    assert "Cannot read" in str(error)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json", encoding="utf-8")
    _, error = run("--file", str(garbage))
    assert "not a JSON document" in str(error)


def test_exit_status_from_the_command_line(tmp_path):
    genuine = tmp_path / "genuine.json"
    genuine.write_text(json.dumps(downloaded_record()), encoding="utf-8")
    tampered_record = downloaded_record()
    tampered_record["seed"] = "ff" * 32
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(tampered_record), encoding="utf-8")

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", "verify_draw", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    ok = manage("--file", str(genuine))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip() == "match"
    bad = manage("--file", str(tampered))
    assert bad.returncode == 1
    assert "mismatch: the commitment is not SHA-256 of the seed" in bad.stdout
    assert "does not verify" in bad.stderr
