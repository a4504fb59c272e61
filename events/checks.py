"""Operator checks of the events app.

A sealed survey response opens only with the key it was sealed under, derived
from ``SECRET_KEY``. Rotating the secret without the old one in
``SECRET_KEY_FALLBACKS`` leaves such responses unopenable: the survey's close
then waits (docs/anonymity.md). This check says so wherever the database is
checked (``manage.py check --database default``, ``manage.py migrate``), so
the operator learns it at the deploy rather than from a missing result.
"""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.database)
def check_sealed_responses_open(app_configs, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    from events.models import SealedResponse, Survey
    from events.services.sealing import sealed_unopenable_count

    try:
        surveys = list(
            Survey.objects.filter(
                pk__in=SealedResponse.objects.values("survey_id")
            ).order_by("pk")
        )
        unopenable = {
            survey.pk: count
            for survey in surveys
            if (count := sealed_unopenable_count(survey))
        }
    except DatabaseError:
        # Not migrated yet: nothing is sealed.
        return []
    if not unopenable:
        return []
    listed = ", ".join(f"{pk} ({count})" for pk, count in unopenable.items())
    return [
        Error(
            f"{sum(unopenable.values())} sealed survey responses cannot be opened "
            f"with SECRET_KEY or SECRET_KEY_FALLBACKS (survey ids and counts: "
            f"{listed}). Their surveys cannot close; nothing has been deleted.",
            hint="SECRET_KEY was changed: put the previous value in "
            "SECRET_KEY_FALLBACKS and restart. Only if it is lost for good: "
            "manage.py survey_discard_unopenable <survey id> deletes what no "
            "key opens (docs/anonymity.md).",
            id="events.E001",
        )
    ]


@register()
def check_credential_keys(app_configs, **kwargs):
    """``MOIM_CREDENTIAL_KEYS``, when set, must be a JWK set of Ed25519 keys
    one of which can sign (docs/path.md): found at start, not at the first
    credential a member asks for."""
    from events.credentials import site_keys

    try:
        keys = site_keys()
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return [
            Error(
                f"MOIM_CREDENTIAL_KEYS cannot be read: {error}",
                hint="A JWK set of Ed25519 keys, each with a kid (docs/path.md).",
                id="events.E010",
            )
        ]
    if keys.signing is None:
        return [
            Error(
                "MOIM_CREDENTIAL_KEYS holds no private key: nothing can sign.",
                hint='The last key with its "d" signs (docs/path.md).',
                id="events.E011",
            )
        ]
    return []
