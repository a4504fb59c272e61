"""Messages to applicants: the organisers' page that writes, schedules and
lists them, cancelling a scheduled one, and the page a recipient reads one
on (where their notification and email lead).

Organisers pass ``organiser_view`` (a banned host is no organiser; writing
is refused to a muted one); the reading page passes ``gathering_view`` and
shows a message only to a member it was delivered to, or to an organiser
(404 for anyone else, as for a message of another gathering)."""

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community.access import Access
from events.access import (
    is_organiser,
    message_read_refusal,
    organiser_write_refusal,
)
from events.decorators import gathering_view, organiser_view
from events.errors import EventsError
from events.forms_messages import MessageForm
from events.models import Gathering
from events.selectors import messages as selectors
from events.services import messages as services

RATE_ACTION = "gathering_message"


def _messages_url(gathering: Gathering) -> str:
    return reverse("gathering_messages", args=[gathering.community.slug, gathering.pk])


def message_rate_check(request: HttpRequest, gathering: Gathering) -> None:
    """Count one message written by the signed-in organiser to ``gathering``
    against ACCOUNT_RATE_LIMITS["gathering_message"] (per organiser, and
    per gathering as its key, whoever writes); EventsError
    ("message_rate_limited") once over either."""
    if not ratelimit.consume(
        request, action=RATE_ACTION, user=request.user, key=f"gathering:{gathering.pk}"
    ):
        raise EventsError("message_rate_limited")


@organiser_view(writes=True)
def gathering_messages(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    services.messages_deliver_due(gathering=gathering)
    counts = selectors.segment_counts(gathering=gathering)
    form = MessageForm(request.POST or None, gathering=gathering, counts=counts)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                message_rate_check(request, gathering)
                message = services.message_create(
                    access=access,
                    gathering=gathering,
                    segment=form.cleaned_data["segment"],
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    send_at=form.cleaned_data["send_at"],
                )
            except EventsError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                if form.cleaned_data["send_at"] is None:
                    messages.success(request, _("Your message is on its way."))
                else:
                    messages.success(
                        request, _("Your message is scheduled. You can cancel it here.")
                    )
                return redirect(f"{_messages_url(gathering)}#message-{message.pk}")
        else:
            status = 400
    return render(
        request,
        "events/gathering_messages.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "form": form,
            "counts": counts,
            "rows": selectors.messages_for_organiser(
                gathering=gathering, counts=counts
            ),
            "write_refusal": organiser_write_refusal(access),
        },
        status=status,
    )


@require_POST
@organiser_view(writes=True)
def gathering_message_cancel(
    request: HttpRequest, *, gathering: Gathering, access: Access, message_id: int
) -> HttpResponse:
    try:
        services.message_cancel(
            access=access, gathering=gathering, message_id=message_id
        )
    except EventsError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message is cancelled: nobody receives it."))
    return redirect(_messages_url(gathering))


@require_safe
@login_required
@gathering_view
def gathering_message(
    request: HttpRequest, *, gathering: Gathering, access: Access, message_id: int
) -> HttpResponse:
    organiser = is_organiser(request.user, gathering, access)
    message = selectors.message_for_reader(
        gathering=gathering,
        message_id=message_id,
        member=request.user,
        organiser=organiser,
    )
    if message is None:
        raise Http404
    if not organiser:
        refusal = message_read_refusal(
            member=request.user,
            gathering=gathering,
            subject=message.subject,
            body=message.body,
            now=timezone.now(),
        )
        if refusal is not None:
            raise refusal
    return render(
        request,
        "events/gathering_message.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "message": message,
            "organiser": organiser,
        },
    )
