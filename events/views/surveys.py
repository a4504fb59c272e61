"""The feedback survey's pages: an attendee answers (once) and keeps a
takeaway; organisers set the survey up, follow its progress and read the
results after the close, from k responses (docs/anonymity.md).

Answers are sensitive POST parameters: an error report or log line about a
failed submission shows them masked, never next to the member.
"""

from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_safe

from community.access import Access
from community.exports import csv_response
from events import selectors
from events.access import organiser_write_refusal
from events.decorators import gathering_view, organiser_view
from events.errors import EventsError
from events.forms import SurveyForm, TakeawayForm
from events.forms_organise import SurveyQuestionForm, SurveySettingsForm
from events.models import Gathering
from events.questions import survey_questions
from events.services import lifecycle, path, survey_setup, surveys


def _detail_url(gathering: Gathering) -> str:
    return reverse("gathering_detail", args=[gathering.community.slug, gathering.pk])


@sensitive_post_parameters()
@login_required
@gathering_view
def survey_answer(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    state = selectors.survey_state(
        gathering=gathering, member=request.user, now=timezone.now(), access=access
    )
    refusal = (
        EventsError("survey_not_open") if state is None else state.response_refusal
    )
    if refusal is not None:
        return render(
            request,
            "events/survey_refused.html",
            {"community": access.community, "gathering": gathering, "error": refusal},
            status=refusal.status,
        )
    questions = survey_questions(state.survey)
    form = SurveyForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.response_submit(
                member=request.user, gathering=gathering, answers=form.answers()
            )
        except EventsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Thank you. Your answers are stored without your name."),
            )
            return redirect(_detail_url(gathering))
    return render(
        request,
        "events/survey_answer.html",
        {
            "community": access.community,
            "gathering": gathering,
            "survey": state.survey,
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@gathering_view
def takeaway_edit(
    request: HttpRequest, *, access: Access, gathering: Gathering
) -> HttpResponse:
    state = selectors.survey_state(
        gathering=gathering, member=request.user, now=timezone.now()
    )
    if state is None or not state.is_attendee:
        code = "takeaway_too_early" if state is None else "takeaway_not_attendee"
        refusal = EventsError(code)
        return render(
            request,
            "events/survey_refused.html",
            {
                "community": access.community,
                "gathering": gathering,
                "error": refusal,
            },
            status=refusal.status,
        )
    takeaway = state.takeaway
    initial = (
        {
            "learned": takeaway.learned,
            "will_apply": takeaway.will_apply,
            "visibility": takeaway.visibility,
        }
        if takeaway
        else None
    )
    form = TakeawayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            path.takeaway_save(
                member=request.user, gathering=gathering, **form.cleaned_data
            )
        except EventsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Your takeaway is saved on your path."))
            return redirect("member_path", public_id=request.user.public_id)
    return render(
        request,
        "events/takeaway_form.html",
        {"community": access.community, "gathering": gathering, "form": form},
        status=400 if form.errors else 200,
    )


SURVEY_EDIT_ACTIONS = ("settings", "add", "remove")


@organiser_view(writes=True)
def survey_edit(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """Settings and questions, until the first response. ``action`` says
    which form was sent: settings, add or remove."""
    action = request.POST.get("action")
    if request.method == "POST" and action not in SURVEY_EDIT_ACTIONS:
        # Only a hand-made request sends another action.
        raise BadRequest(action)
    gathering = lifecycle.gathering_advance_if_due(gathering)
    survey = surveys.survey_or_defaults(gathering)
    settings_form = SurveySettingsForm(
        initial={
            "min_responses": survey.min_responses,
            "duration_days": survey.duration.days,
        }
    )
    question_form = SurveyQuestionForm()
    if request.method == "POST":
        try:
            if action == "settings":
                settings_form = SurveySettingsForm(request.POST)
                if settings_form.is_valid():
                    survey_setup.survey_settings_update(
                        gathering=gathering, access=access, **settings_form.cleaned_data
                    )
                    messages.success(request, _("The survey's settings are saved."))
                    return redirect(request.path)
            elif action == "add":
                question_form = SurveyQuestionForm(request.POST)
                if question_form.is_valid():
                    survey_setup.survey_question_add(
                        gathering=gathering,
                        kind=question_form.cleaned_data["kind"],
                        label=question_form.cleaned_data["label"],
                        choices=question_form.choice_list(),
                        access=access,
                    )
                    messages.success(request, _("The question is added."))
                    return redirect(request.path)
            else:  # remove
                survey_setup.survey_question_remove(
                    gathering=gathering, key=request.POST.get("key", ""), access=access
                )
                messages.success(request, _("The question is removed."))
                return redirect(request.path)
        except EventsError as error:
            messages.error(request, error.message)
            return redirect(request.path)
    survey = surveys.survey_or_defaults(gathering)
    return render(
        request,
        "events/survey_edit.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "survey": survey,
            "questions": survey_questions(survey),
            "settings_form": settings_form,
            "question_form": question_form,
            # The forms show while the survey may change and this organiser
            # may write (a muted host reads the set-up only).
            "write_refusal": organiser_write_refusal(access),
        },
        status=400 if settings_form.errors or question_form.errors else 200,
    )


@require_safe
@organiser_view
def survey_results(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    gathering = lifecycle.gathering_advance_if_due(gathering)
    return render(
        request,
        "events/survey_results.html",
        {
            "community": gathering.community,
            "access": access,
            "gathering": gathering,
            "results": selectors.survey_results(gathering=gathering),
        },
    )


@require_safe
@organiser_view
def survey_results_csv(
    request: HttpRequest, *, gathering: Gathering, access: Access
) -> HttpResponse:
    """The results page as CSV: the same aggregates and shuffled texts, and
    nothing when the results are not shown (open, or below k)."""
    gathering = lifecycle.gathering_advance_if_due(gathering)
    results = selectors.survey_results(gathering=gathering)
    if not results.enough:
        refusal = EventsError("survey_results_unavailable")
        return render(
            request,
            "events/survey_refused.html",
            {
                "community": gathering.community,
                "gathering": gathering,
                "error": refusal,
            },
            status=refusal.status,
        )
    return csv_response(
        filename=f"moim-survey-{gathering.pk}.csv", rows=_results_rows(results)
    )


def _results_rows(results: selectors.SurveyResults) -> Iterator[list]:
    yield [_("question"), _("answer"), _("count"), _("share")]
    yield [_("responses"), "", results.responses, f"{results.rate:.3f}"]
    for question in results.questions:
        if question.average is not None:
            yield [question.label, _("average"), "", f"{question.average:.2f}"]
        for bar in question.bars:
            yield [question.label, bar.label, bar.count, f"{bar.share:.3f}"]
        for text in question.texts:
            yield [question.label, text, "", ""]
