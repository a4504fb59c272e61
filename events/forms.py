"""Forms of the member-facing gathering pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.fields import OneLineField
from events.errors import EventsError
from events.models import ExperienceKind, FollowUpAnswer, Gathering, PathVisibility
from events.questions import TEXT_LIMIT, QuestionKind
from events.services import experiences
from events.services.applications import ANSWER_LIMIT, MOTIVATION_LIMIT
from events.services.followups import NOTE_LIMIT
from events.services.path import TAKEAWAY_LIMIT
from events.skills import SKILLS


class ApplicationForm(forms.Form):
    """The motivation text and one field per short question of the
    gathering. The limits repeat the service's so that a too-long answer is
    shown next to its field; the service checks them again."""

    motivation = forms.CharField(
        label=_("Why do you want to join?"),
        max_length=MOTIVATION_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, gathering: Gathering, **kwargs):
        super().__init__(*args, **kwargs)
        self.gathering = gathering
        motivation = self.fields["motivation"]
        if gathering.motivation_prompt:
            motivation.label = gathering.motivation_prompt
            motivation.required = True
        motivation.help_text = _("At most %(limit)s characters.") % {
            "limit": MOTIVATION_LIMIT
        }
        for index, question in enumerate(gathering.questions):
            self.fields[f"answer_{index}"] = OneLineField(
                label=str(question),
                max_length=ANSWER_LIMIT,
                required=False,
            )

    @property
    def answer_fields(self):
        return [self[f"answer_{i}"] for i in range(len(self.gathering.questions))]

    def answers(self) -> list[str]:
        return [
            self.cleaned_data.get(f"answer_{i}", "")
            for i in range(len(self.gathering.questions))
        ]


class SurveyForm(forms.Form):
    """One field per survey question: ratings and choices as radio buttons,
    texts as text areas. The service validates the answers again."""

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[question["key"]] = self._field(question)

    @staticmethod
    def _field(question: dict) -> forms.Field:
        kind = question["kind"]
        label = question["label"]
        required = bool(question.get("required"))
        if kind == QuestionKind.RATING:
            return forms.TypedChoiceField(
                label=label,
                required=required,
                coerce=int,
                choices=[(n, str(n)) for n in range(1, 6)],
                widget=forms.RadioSelect(attrs={"class": "rating"}),
                help_text=_("1 = not at all, 5 = very much"),
            )
        if kind == QuestionKind.CHOICE:
            return forms.TypedChoiceField(
                label=label,
                required=required,
                coerce=int,
                choices=list(enumerate(question["choices"])),
                widget=forms.RadioSelect,
            )
        if kind == QuestionKind.YES_NO:
            return forms.ChoiceField(
                label=label,
                required=required,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
            )
        return forms.CharField(
            label=label,
            required=required,
            max_length=TEXT_LIMIT,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def answers(self) -> dict:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if value not in (None, "")
        }


class TakeawayForm(forms.Form):
    learned = forms.CharField(
        label=_("What did you learn?"),
        max_length=TAKEAWAY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    will_apply = forms.CharField(
        label=_("What will you apply?"),
        max_length=TAKEAWAY_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it on your path"),
        choices=PathVisibility.choices,
        initial=PathVisibility.PRIVATE,
        widget=forms.RadioSelect,
    )


class MonthField(forms.CharField):
    """A month as ``<input type="month">`` sends it ("2024-03"), cleaned to
    the first day of that month (a browser without the picker shows a text
    box, where the same form is typed)."""

    widget = forms.TextInput(
        attrs={"type": "month", "placeholder": "2024-03", "pattern": r"\d{4}-\d{2}"}
    )

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return experiences.month_parse(value)
        except EventsError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class ExperienceForm(forms.Form):
    """An experience on the path. The fields' shapes are checked here, so
    an error shows next to its field; the rules (dates, skills, tags) are
    the service's (events.services.experiences)."""

    kind = forms.ChoiceField(
        label=_("What kind of experience"),
        choices=ExperienceKind.choices,
        initial=ExperienceKind.JOB,
        widget=forms.RadioSelect,
    )
    title = OneLineField(
        label=_("Title"),
        max_length=experiences.TITLE_LIMIT,
        help_text=_("For example your role, the project's name or the talk's title."),
    )
    organisation = OneLineField(
        label=_("Organisation"),
        max_length=experiences.ORGANISATION_LIMIT,
        required=False,
    )
    started_on = MonthField(label=_("From (month)"))
    ended_on = MonthField(
        label=_("Until (month)"),
        required=False,
        help_text=_("Leave empty while it goes on."),
    )
    learned = forms.CharField(
        label=_("What did you learn?"),
        max_length=experiences.LEARNED_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"),
        choices=[(skill.slug, skill.slug) for skill in SKILLS],
        required=False,
        error_messages={"invalid_choice": _("Please choose skills from the list.")},
    )
    tags = OneLineField(
        label=_("Tags"),
        max_length=400,
        required=False,
        help_text=_("Your own words, separated by commas."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can see it on your path"),
        choices=PathVisibility.choices,
        initial=PathVisibility.PRIVATE,
        widget=forms.RadioSelect,
    )

    def clean_tags(self) -> list[str]:
        try:
            return experiences.tags_normalise(self.cleaned_data["tags"])
        except EventsError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self):
        cleaned = super().clean()
        started, ended = cleaned.get("started_on"), cleaned.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", EventsError("experience_dates").message)
        return cleaned


class FollowUpForm(forms.Form):
    """Whether the member applied their takeaway, and a note of their own.
    The limit repeats the service's, which checks it again."""

    answer = forms.ChoiceField(
        label=_("Did you apply it?"),
        choices=FollowUpAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose one of the answers."),
            "invalid_choice": _("Please choose one of the answers."),
        },
    )
    note = forms.CharField(
        label=_("A note for yourself (optional)"),
        max_length=NOTE_LIMIT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SelfCheckinForm(forms.Form):
    """The code shown at the venue, typed by an attendee."""

    code = OneLineField(
        label=_("Code shown at the venue"),
        max_length=20,
        error_messages={"required": _("Please type the code shown at the venue.")},
    )
