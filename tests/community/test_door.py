"""The door's query (community.access.community_access) is written once
per process, not built by the ORM: every value it reads is what the ORM
reads, of the same type, on SQLite and PostgreSQL alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.access import community_access
from community.models import (
    Community,
    Membership,
    MembershipRole,
    PostPolicy,
    Sanction,
    SanctionKind,
)
from tests.community.forum_data import community_make, join, sanction, veteran

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    return {
        field.attname: (
            getattr(instance, field.attname),
            type(getattr(instance, field.attname)),
        )
        for field in type(instance)._meta.concrete_fields
    }


def test_the_door_reads_every_field_as_the_orm_does():
    community = community_make()
    Community.objects.filter(pk=community.pk).update(
        requires_real_names=True,
        public_read=False,
        post_policy=PostPolicy.choices[-1][0],
        rules="규칙",
    )
    member = veteran()
    join(member, community)
    Membership.objects.filter(member=member).update(role=MembershipRole.MODERATOR)
    ends = timezone.now() + timedelta(days=2)
    sanction(member, community, SanctionKind.MUTE, ends_at=ends)
    sanction(member, community, SanctionKind.BAN)

    found = community_access(slug=community.slug, member=member)

    assert _values(found.community) == _values(Community.objects.get(pk=community.pk))
    assert _values(found.membership) == _values(Membership.objects.get(member=member))
    for held, kind in ((found.muted, SanctionKind.MUTE), (found.banned, "ban")):
        stored = Sanction.objects.get(member=member, kind=kind)
        assert _values(held) == _values(stored)
    assert found.muted.ends_at == ends
