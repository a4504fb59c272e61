"""One credential in force per item under real concurrency on PostgreSQL:
twenty threads, each with its own connection, released together, all
issuing the same member's credential of the same gathering; and a member
revoking one credential twice at once. SQLite serialises writers, so this
runs only on PostgreSQL (see tests/conftest.py)."""

import pytest

from events.models import Credential
from events.services.credentials import credential_issue, credential_revoke
from tests.events.factories import gathering_held
from tests.events.test_concurrency import run_at_once, unexpected

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twenty_simultaneous_issues_of_one_item_store_one_credential():
    gathering, _members = gathering_held(attendees=2)
    host = gathering.hosts.first()

    outcomes = run_at_once(
        [
            lambda: credential_issue(member=host, kind="hosted", object_id=gathering.pk)
            for _ in range(20)
        ]
    )

    assert unexpected(outcomes, {"credential_in_force"}) == []
    assert sum(isinstance(o, Credential) for o in outcomes) == 1
    assert Credential.objects.filter(member=host).count() == 1


def test_revoking_one_credential_twice_at_once_revokes_it_once():
    gathering, _members = gathering_held(attendees=2)
    host = gathering.hosts.first()
    credential = credential_issue(member=host, kind="hosted", object_id=gathering.pk)

    outcomes = run_at_once(
        [
            lambda: credential_revoke(member=host, credential_id=credential.pk)
            for _ in range(10)
        ]
    )

    assert unexpected(outcomes, {"credential_revoked_already"}) == []
    assert sum(isinstance(o, Credential) for o in outcomes) == 1
