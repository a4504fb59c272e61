"""Receipts of a lottery application: what an applicant keeps to check the
draw later without trusting the site. On applying: the public id, the weight
under the policy now (the draw fixes it at the close) and the commitment
published at opening, in-app and by email. After the draw: the same with
the frozen list's digest, the rank and outcome, and the hash of the record
as published, by email (in-app, the results page shows it), each in the
member's language."""

from datetime import datetime

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from community.mail import mail_member
from events.draw_publication import draw_record_hash
from events.fairness import weights_compute
from events.models import Application, Gathering, SelectionMode
from events.services.notices import gathering_url, notices_send


def _weight(tenths: int) -> str:
    return f"{tenths // 10}.{tenths % 10}"


def receipt_applied_send(
    *, application: Application, gathering: Gathering, now: datetime
) -> None:
    """The receipt of a lottery application just made (nothing for a
    first-come one: no draw). Runs after the application is committed; three
    queries for the weight, one for the notification, one queued mail."""
    if gathering.selection_mode != SelectionMode.LOTTERY:
        return
    weight = weights_compute(gathering, [application], now)[application.pk]
    notices_send(
        items=[
            (
                application.member,
                {
                    "public_id": application.public_id,
                    "weight": _weight(weight),
                    "commitment": gathering.draw_commitment,
                    "terms_digest": gathering.terms_digest,
                },
            )
        ],
        gathering=gathering,
        detail=_(
            "Receipt for ‘%(title)s’: public id %(public_id)s, weight "
            "%(weight)s (fixed at the close), draw commitment %(commitment)s."
        ),
        link=gathering_url(gathering) + "#my-application",
        template="events/email/receipt",
    )


def receipts_drawn_send(
    *, gathering: Gathering, applications: list[Application], record: dict
) -> None:
    """After the draw, each applicant's receipt by email: their entry as the
    record has it, and the record's hash. ``applications`` carry their
    member. No query besides queuing the mails."""
    link = reverse("draw_results", args=[gathering.community.slug, gathering.pk])
    record_hash = draw_record_hash(record)
    entries = {entry["public_id"]: entry for entry in record["entries"]}
    for application in applications:
        member = application.member
        entry = entries.get(application.public_id)
        if entry is None or not member.is_active:
            continue
        with translation.override(member.language):
            if entry["outcome"] == "won":
                outcome = _("won a seat")
            else:
                outcome = _("number %(position)s on the waitlist") % {
                    "position": entry["waitlist_position"]
                }
            detail = _(
                "Your receipt for the draw of ‘%(title)s’: keep it to check the "
                "draw against the published record."
            ) % {"title": gathering.title}
            facts = {
                "public_id": entry["public_id"],
                "weight": _weight(entry["weight"]),
                "commitment": record["commitment"],
                "terms_digest": record.get("terms_digest", ""),
                "frozen_digest": record["frozen_digest"],
                "rank": entry["rank"],
                "entries": len(record["entries"]),
                "outcome": str(outcome),
                "record_hash": record_hash,
            }
        mail_member(
            to=member.email,
            language=member.language,
            template="events/email/receipt",
            context={
                "member": member,
                "gathering": gathering,
                "detail": detail,
                "link": link,
                "facts": facts,
            },
        )
