"""The community's fairness policy as its owners set it (events.models.
FairnessPolicy). Each gathering's terms take the policy as it stands when
applications open (events.services.terms), so a change here moves no
gathering already open."""

from django.db import transaction

from community.access import Access
from community.errors import CommunityError
from events.models import FairnessPolicy


def fairness_policy_update(*, access: Access, overbooking: bool) -> FairnessPolicy:
    """Set whether the community's draws offer extra seats by measured
    attendance. Only its owners (and staff): ``access.may_set_roles``.
    Creates the policy with its default weights when there is none yet."""
    if not access.may_set_roles:
        raise CommunityError("owner_only")
    with transaction.atomic():
        policy, _created = FairnessPolicy.objects.select_for_update().get_or_create(
            community=access.community
        )
        if policy.overbooking != overbooking:
            policy.overbooking = overbooking
            policy.save(update_fields=["overbooking"])
    return policy
