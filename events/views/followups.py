"""The follow-up page: an attendee who kept a takeaway says, weeks later,
whether they applied it, and may change their answer while the question is
open (events.services.followups). Their answer is theirs: it shows on their
path with their takeaway; organisers see only counts, from k
(docs/anonymity.md, "The follow-up")."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from community.access import Access
from events.access import followup_answer_refusal
from events.decorators import gathering_view
from events.errors import EventsError
from events.forms import FollowUpForm
from events.models import Gathering, PathKind
from events.selectors.followups import member_followup
from events.services import followups
from events.views.path import path_item_redirect


@sensitive_post_parameters()
@login_required
@gathering_view
def followup_answer(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    now = timezone.now()
    page = member_followup(gathering=gathering, member=request.user, now=now)
    shown = page.shown
    refusal = followup_answer_refusal(page.followup, access, now)
    if refusal is not None and refusal.code != "followup_closed":
        raise refusal
    initial = {"answer": shown.answer, "note": shown.note} if shown.answer else None
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if refusal is not None:
            raise refusal
        if form.is_valid():
            try:
                followups.followup_answer(
                    access=access, gathering=gathering, now=now, **form.cleaned_data
                )
            except EventsError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your answer is saved on your path."))
                return path_item_redirect(request.user, PathKind.ATTENDED, gathering.pk)
    return render(
        request,
        "events/followup_answer.html",
        {
            "community": access.community,
            "gathering": gathering,
            "form": form,
            "followup": shown,
            "takeaway": page.takeaway,
        },
        status=400 if form.errors else 200,
    )
