"""A community's fairness policy can only produce weights the draw accepts
(1 to 1000 tenths), so a draw can never fail on its own policy."""

import pytest
from django.db import IntegrityError

from events.models import FairnessPolicy
from tests.factories import community_create


@pytest.mark.parametrize(
    "fields",
    [
        {"base_weight": 0},
        {"no_show_weight": 0},
        {"base_weight": 900, "loss_bonus": 50, "loss_cap": 3},
        {"company_cap": 0},
    ],
)
def test_a_policy_outside_the_draws_weight_range_is_refused(db, fields):
    with pytest.raises(IntegrityError):
        FairnessPolicy.objects.create(community=community_create(), **fields)


def test_the_default_policy_is_accepted(db):
    policy = FairnessPolicy.objects.create(community=community_create())
    assert policy.base_weight + policy.loss_bonus * policy.loss_cap <= 1000
