"""The organisers' list of a gathering's applicants (the manage page and
its exports): what it takes from the query string (a name to search for, a
status to keep and an order) and the rows its exports write. No queries:
the view parses, the selectors (events.selectors.organise) apply.

The statuses an organiser asks about are not all columns of an application:
"won" is the draw's outcome (the draw record), "attended" and "no-show" are
the check-in's facts (``Application.attended``). Each is a ``ListStatus``;
the selectors turn it into a condition.

Bad input never fails the page: an unknown status or order is dropped with
a message saying so, in the page's language, and the list shows as if it
had not been asked.
"""

from collections.abc import Iterator
from typing import NamedTuple

from django.db import models
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.display import display_name
from community.fields import SEOUL
from events.models import Application, ApplicationStatus, Gathering

SEARCH_LIMIT = 50


class ListStatus(models.TextChoices):
    """What the status filter offers, in the order its chips show. The
    first eight are the organiser's questions; the rest are the other
    application statuses, shown when some application has one."""

    APPLIED = "applied", gettext_lazy("Applied")
    WON = "won", gettext_lazy("Won the draw")
    OFFERED = "offered", gettext_lazy("Seat offered")
    CONFIRMED = "confirmed", gettext_lazy("Confirmed")
    DECLINED = "declined", gettext_lazy("Declined")
    WAITLISTED = "waitlisted", gettext_lazy("Waitlisted")
    ATTENDED = "attended", gettext_lazy("Attended")
    NO_SHOW = "no_show", gettext_lazy("No-show")
    EXPIRED = "expired", gettext_lazy("Offer expired")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")
    NOT_SELECTED = "not_selected", gettext_lazy("Not selected")
    CANCELLED = "cancelled", gettext_lazy("Gathering cancelled")


# The list statuses that are an application status of the same name.
STORED = frozenset(ListStatus.values) & frozenset(ApplicationStatus.values)
# Shown as a chip even at zero (the rest only when some application has it).
ALWAYS_SHOWN = (
    ListStatus.APPLIED,
    ListStatus.OFFERED,
    ListStatus.CONFIRMED,
    ListStatus.DECLINED,
    ListStatus.WAITLISTED,
    ListStatus.ATTENDED,
    ListStatus.NO_SHOW,
)


class ListOrder(models.TextChoices):
    RANK = "rank", gettext_lazy("Draw rank")
    DATE = "date", gettext_lazy("Applied first")
    RECENT = "recent", gettext_lazy("Applied last")
    STATUS = "status", gettext_lazy("Status")


class ApplicantQuery(NamedTuple):
    search: str = ""
    status: str = ""  # a ListStatus value, or "" for every application
    order: str = ListOrder.RANK

    @property
    def is_narrowed(self) -> bool:
        return bool(self.search or self.status)


def applicant_query_parse(params: QueryDict) -> tuple[ApplicantQuery, list[str]]:
    """The query the GET parameters ``q``, ``status`` and ``sort`` ask for,
    and what was set aside, as sentences to show. Repeated parameters count
    once (the last)."""
    problems = []
    search = " ".join(str(params.get("q", "")).split())
    if "\x00" in search:
        search = search.replace("\x00", "")
    if len(search) > SEARCH_LIMIT:
        problems.append(
            _("Search for at most %(limit)d characters.") % {"limit": SEARCH_LIMIT}
        )
        search = search[:SEARCH_LIMIT]
    status = str(params.get("status", ""))
    if status and status not in ListStatus.values:
        problems.append(_("There is no such status; every application is shown."))
        status = ""
    order = str(params.get("sort", "")) or ListOrder.RANK
    if order not in ListOrder.values:
        problems.append(_("The list cannot be sorted that way; it is by rank."))
        order = ListOrder.RANK
    return ApplicantQuery(search=search, status=status, order=order), problems


def _when(moment) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment, SEOUL).strftime("%Y-%m-%d %H:%M")


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def applicant_export_rows(
    *, gathering: Gathering, applications: list[Application], has_draw: bool
) -> Iterator[list]:
    """The export's header and a row per application (from
    ``organise_applicant_rows``): who, told apart as the page does (role,
    experience, work badge, the public ids), where the application stands,
    and the motivation and every answer under its question. Times in
    Seoul. Cells are raw values: the writer neutralises them."""
    questions = list(gathering.questions)
    yield [
        _("Application id (draw record)"),
        _("Name"),
        _("Member id"),
        _("Job role"),
        _("Experience"),
        _("Verified at work"),
        _("Status"),
        _("Won the draw"),
        _("Attended"),
        _("Rank"),
        _("Weight (tenths)"),
        _("Waitlist"),
        _("Applied at"),
        _("Confirmed at"),
        gathering.motivation_prompt or _("Motivation"),
        *questions,
    ]
    community = gathering.community
    for application in applications:
        member = application.member
        answers = list(application.answers or [])
        answers += [""] * (len(questions) - len(answers))
        yield [
            application.public_id,
            display_name(member, community),
            member.public_id,
            member.get_role_display(),
            member.get_experience_display(),
            _yes_no(member.is_work_verified),
            application.get_status_display(),
            _yes_no(application.won) if has_draw else "",
            _yes_no(application.attended),
            application.rank,
            application.weight,
            application.waitlist_position,
            _when(application.created_at),
            _when(application.confirmed_at),
            application.motivation,
            *answers[: len(questions)],
        ]
