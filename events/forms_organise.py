"""Forms for organisers: a gathering's settings, cancelling and check-in.
They parse and validate input; events.services.gatherings decides."""

from datetime import datetime, timedelta

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from community.fields import OneLineField, SeoulDateTimeField
from events.errors import EventsError
from events.models import (
    SURVEY_MIN_RESPONSES_FLOOR,
    Gathering,
    GatheringFormat,
    SelectionMode,
)
from events.questions import QUESTION_KINDS

MAX_QUESTIONS = 5
QUESTION_LIMIT = 200
MAX_HOSTS = 10
# An hour-count beyond a few weeks is a typo, not a plan.
MAX_HOURS = 24 * 30

MESSAGES = {
    "video_link_required": _("An online gathering needs a video link."),
    "video_link_https": _("The video link must start with https://."),
    "venue_required": _("An offline gathering needs a venue."),
    "too_many_questions": _("At most %(limit)s short questions, one per line."),
    "question_too_long": _("Each question may be at most %(limit)s characters."),
    "too_many_hosts": _("At most %(limit)s hosts."),
    "hosts_unknown": _(
        "No member of this community who may host is called: %(names)s. "
        "Check the spelling, or pick them from the suggestions."
    ),
    "hosts_ambiguous": _(
        "Several members of this community are called: %(names)s. Pick the "
        "one you mean from the suggestions, or type their public id (the last "
        "part of their profile address)."
    ),
}

# The hour-based settings folded under "Advanced settings", with their
# defaults: the form starts from them and the fold opens by itself when one
# differs (or is refused).
ADVANCED_DEFAULTS = {
    "claim_window_hours": 24,
    "link_release_hours": 24,
    "offer_cutoff_hours": 2,
}
# Which format uses which place field; the other one is neither required
# nor kept (the form's page shows only the one in use).
FORMAT_FIELDS = {
    GatheringFormat.ONLINE: ("video_link",),
    GatheringFormat.OFFLINE: ("venue",),
}


def _hours(label, help_text, *, minimum: int) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=minimum,
        max_value=MAX_HOURS,
    )


class GatheringForm(forms.Form):
    """Every setting of a gathering. ``frozen`` names the fields the
    lifecycle has fixed (see services.gatherings): they are shown disabled,
    an absent value keeps the stored one, and a different value is refused
    on the field rather than silently dropped."""

    title = OneLineField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, lists, links."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=GatheringFormat.choices,
        initial=GatheringFormat.ONLINE,
        widget=forms.RadioSelect,
    )
    video_link = forms.URLField(
        label=_("Video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Zoom, Google Meet, Teams or any https address. Only confirmed "
            "attendees reach it, through their personal join URL, from the "
            "release time on."
        ),
        widget=forms.URLInput(attrs={"autocomplete": "off"}),
    )
    venue = OneLineField(
        label=_("Venue"),
        required=False,
        max_length=200,
        help_text=_("For an offline gathering: the place and address."),
    )
    starts_at = SeoulDateTimeField(label=_("Starts (Korean time)"))
    ends_at = SeoulDateTimeField(label=_("Ends (Korean time)"))
    capacity = forms.IntegerField(
        label=_("Seats"), min_value=1, max_value=100000, initial=20
    )
    selection_mode = forms.ChoiceField(
        label=_("Selection"),
        choices=SelectionMode.choices,
        initial=SelectionMode.LOTTERY,
        widget=forms.RadioSelect,
        help_text=_(
            "A lottery draws every seat fairly after applications close; "
            "first come gives seats in the order applications arrive."
        ),
    )
    applications_open_at = SeoulDateTimeField(
        label=_("Applications open (Korean time)")
    )
    applications_close_at = SeoulDateTimeField(
        label=_("Applications close (Korean time)"),
        help_text=_("The lottery is drawn at this time."),
    )
    motivation_prompt = OneLineField(
        label=_("Motivation question"),
        required=False,
        max_length=200,
        help_text=_(
            "For example: “What would you like to talk about?” Leave empty "
            "to ask nothing."
        ),
    )
    questions = forms.CharField(
        label=_("Short questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional, one per line, at most five."),
    )
    require_work_verified = forms.BooleanField(
        label=_("Only members verified at work"), required=False
    )
    require_matching_role = forms.BooleanField(
        label=_("Only members of the community's job role"), required=False
    )
    hosts = OneLineField(
        label=_("Hosts"),
        required=False,
        max_length=600,
        help_text=_(
            "Names or nicknames of community members, separated by commas "
            "(a public id, the last part of a profile address, works too). "
            "Hosts organise this gathering with the moderators."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    claim_window_hours = _hours(
        _("Hours to confirm a seat"),
        _("A winner who does not confirm in time loses the seat to the next."),
        minimum=1,
    )
    link_release_hours = _hours(
        _("Link released, hours before the start"),
        _("From then on attendees can open their join URL."),
        minimum=0,
    )
    offer_cutoff_hours = _hours(
        _("No new seat offers, hours before the start"),
        _("Seats given back after this stay empty."),
        minimum=0,
    )

    def __init__(self, *args, frozen=(), host_lookup=None, creating=True, **kwargs):
        kwargs.setdefault("initial", dict(ADVANCED_DEFAULTS))
        super().__init__(*args, **kwargs)
        # A callable from names to a selectors.HostResolution (members found,
        # names unknown, names ambiguous), so the form never queries by itself.
        self.host_lookup = host_lookup
        # The lifecycle names settings as the model does; two are edited
        # here in hours.
        self.frozen = {FORM_NAMES.get(name, name) for name in frozen}
        if creating:
            self.fields["hosts"].help_text = _(
                "Names or nicknames of community members, separated by commas "
                "(a public id, the last part of a profile address, works too). "
                "Hosts organise this gathering with the moderators. Empty: you."
            )
        for name in self.frozen:
            field = self.fields[name]
            field.required = False
            field.widget.attrs["disabled"] = True
            field.help_text = _("Fixed now that applications have opened or closed.")

    @classmethod
    def initial_from(cls, gathering: Gathering, host_ids: list[str]) -> dict:
        initial = {name: getattr(gathering, name) for name in SERVICE_FIELDS}
        initial["questions"] = "\n".join(gathering.questions)
        initial["hosts"] = ", ".join(host_ids)
        initial["claim_window_hours"] = _in_hours(gathering.claim_window)
        initial["link_release_hours"] = _in_hours(gathering.link_release_before)
        initial["offer_cutoff_hours"] = _in_hours(gathering.offer_cutoff_before)
        return initial

    def clean_questions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["questions"].splitlines()]
        questions = [line for line in lines if line]
        if len(questions) > MAX_QUESTIONS:
            raise forms.ValidationError(
                MESSAGES["too_many_questions"] % {"limit": MAX_QUESTIONS}
            )
        if any(len(q) > QUESTION_LIMIT for q in questions):
            raise forms.ValidationError(
                MESSAGES["question_too_long"] % {"limit": QUESTION_LIMIT}
            )
        return questions

    def clean_video_link(self) -> str:
        link = self.cleaned_data["video_link"]
        if link and not link.lower().startswith("https://"):
            raise forms.ValidationError(MESSAGES["video_link_https"])
        return link

    def clean_hosts(self):
        """Names separated by commas, each resolved among the members who
        may host; a run of public ids separated by spaces (as earlier pages
        took them) is read too."""
        raw = self.cleaned_data["hosts"]
        names = list(dict.fromkeys(p.strip() for p in raw.split(",") if p.strip()))
        if len(names) > MAX_HOSTS:
            raise forms.ValidationError(
                MESSAGES["too_many_hosts"] % {"limit": MAX_HOSTS}
            )
        self.host_members = []
        if not names or self.host_lookup is None:
            return []
        found = self.host_lookup(names)
        members, unknown = list(found.members), list(found.unknown)
        spaced = [name for name in unknown if len(name.split()) > 1]
        if spaced:
            parts = list(dict.fromkeys(p for name in spaced for p in name.split()))
            again = self.host_lookup(parts[: MAX_HOSTS * 2])
            ids = {m.public_id for m in again.members}
            for name in spaced:
                if all(part in ids for part in name.split()):
                    unknown.remove(name)
                    members += [
                        m
                        for m in again.members
                        if m.public_id in name.split() and m not in members
                    ]
        if unknown:
            self.add_error(
                "hosts", MESSAGES["hosts_unknown"] % {"names": ", ".join(unknown)}
            )
        if found.ambiguous:
            self.add_error(
                "hosts",
                MESSAGES["hosts_ambiguous"] % {"names": ", ".join(found.ambiguous)},
            )
        self.host_members = members
        if len(members) > MAX_HOSTS:
            raise forms.ValidationError(
                MESSAGES["too_many_hosts"] % {"limit": MAX_HOSTS}
            )
        return members

    def advanced_open(self) -> bool:
        """Whether the advanced settings' fold starts open: one of them was
        refused or differs from its default."""
        if any(name in self.errors for name in ADVANCED_DEFAULTS):
            return True
        for name, default in ADVANCED_DEFAULTS.items():
            value = self[name].value()
            if value not in (None, "") and str(value).strip() != str(default):
                return True
        return False

    def clean(self):
        cleaned = super().clean()
        self._keep_frozen(cleaned)
        chosen = cleaned.get("format")
        if chosen == GatheringFormat.ONLINE and cleaned.get("video_link") == "":
            self.add_error("video_link", MESSAGES["video_link_required"])
        if (
            chosen == GatheringFormat.OFFLINE
            and cleaned.get("venue", "x").strip() == ""
        ):
            self.add_error("venue", MESSAGES["venue_required"])
        self._drop_unused_place(cleaned, chosen)
        return cleaned

    def _drop_unused_place(self, cleaned: dict, chosen) -> None:
        """The place field the chosen format does not use is neither
        required nor kept: an offline gathering stores no video link (a link
        typed before switching would otherwise linger, secret and unused),
        an online one no venue. A frozen field keeps what it has."""
        shown = FORMAT_FIELDS.get(chosen)
        if shown is None:
            return
        for name in ("video_link", "venue"):
            if name in shown or name in self.frozen:
                continue
            self.errors.pop(name, None)
            cleaned[name] = ""

    def _keep_frozen(self, cleaned: dict) -> None:
        """A frozen field the browser did not send (it is disabled) keeps its
        stored value; one sent with another value is refused on the field, the
        way the service would refuse it."""
        for name in self.frozen:
            if name not in cleaned:
                continue
            stored = self.initial.get(name)
            posted = cleaned[name]
            if name not in self.data or posted in (None, "") or _same(posted, stored):
                cleaned[name] = stored
            else:
                label = self.fields[name].label
                self.add_error(name, EventsError("cannot_edit", reason=label).message)
        # A time typed to the minute that matches a stored time with seconds
        # is the same time: keep the stored one, so nothing moves by accident.
        for name in DATETIME_FIELDS:
            if name in cleaned and name not in self.frozen:
                stored = self.initial.get(name)
                if _same(cleaned[name], stored):
                    cleaned[name] = stored

    def service_fields(self) -> dict:
        """Keyword arguments for gathering_create / gathering_update."""
        data = self.cleaned_data
        fields = {name: data[name] for name in SERVICE_FIELDS}
        fields["description"] = fields["description"].strip()
        fields["venue"] = fields["venue"].strip()
        fields["claim_window"] = timedelta(hours=data["claim_window_hours"])
        fields["link_release_before"] = timedelta(hours=data["link_release_hours"])
        fields["offer_cutoff_before"] = timedelta(hours=data["offer_cutoff_hours"])
        return fields


FORM_NAMES = {
    "claim_window": "claim_window_hours",
    "offer_cutoff_before": "offer_cutoff_hours",
}

DATETIME_FIELDS = [
    "starts_at",
    "ends_at",
    "applications_open_at",
    "applications_close_at",
]
SERVICE_FIELDS = [
    "title",
    "description",
    "format",
    "video_link",
    "venue",
    *DATETIME_FIELDS,
    "capacity",
    "selection_mode",
    "motivation_prompt",
    "questions",
    "require_work_verified",
    "require_matching_role",
]
# Which form field carries an "invalid_times" refusal from the service, by
# the refusal's English text.
TIME_PROBLEM_FIELDS = {
    "The end must come after the start.": "ends_at",
    "Applications must close after they open.": "applications_close_at",
    "Applications must close before the gathering starts.": "applications_close_at",
    "Applications must close in the future.": "applications_close_at",
    "There must be at least one seat.": "capacity",
}


def time_problem_field(error: EventsError) -> str | None:
    with translation.override("en"):
        return TIME_PROBLEM_FIELDS.get(str(error.params.get("problem", "")))


def _in_hours(duration: timedelta) -> int:
    return int(duration.total_seconds() // 3600)


def _same(posted, stored) -> bool:
    if isinstance(posted, datetime) and isinstance(stored, datetime):
        return posted == stored.replace(second=0, microsecond=0) or posted == stored
    return posted == stored


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to everyone who applied."),
        error_messages={"required": _("Please tell the applicants why.")},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(
                self.fields["reason"].error_messages["required"]
            )
        return reason


ATTENDED = "attended"
NO_SHOW = "no_show"


class CheckinForm(forms.Form):
    """One attended / no-show choice per confirmed attendee, named
    ``attended-<application id>``; a row left unanswered is not recorded."""

    def __init__(self, *args, attendees=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for application, prefill in attendees:
            name = f"attended-{application.pk}"
            self.fields[name] = forms.ChoiceField(
                label=str(application.public_id),
                required=False,
                choices=[(ATTENDED, _("Attended")), (NO_SHOW, _("No-show"))],
                widget=forms.RadioSelect,
                initial=prefill,
            )
            self.rows.append((application, self[name]))

    def attended(self) -> dict[int, bool]:
        result = {}
        for name, value in self.cleaned_data.items():
            if value:
                result[int(name.removeprefix("attended-"))] = value == ATTENDED
        return result


class CheckinScanForm(forms.Form):
    """What the camera read from an attendee's QR code, or the short code
    under it as the organiser typed it (a handheld scanner that types what
    it reads works too)."""

    value = OneLineField(
        label=_("Attendee's code"),
        max_length=200,
        help_text=_("The six characters under the attendee's QR code."),
        error_messages={"required": _("Please type the attendee's code.")},
    )


class SelfCheckinSettingsForm(forms.Form):
    """Self check-in on or off, or a new venue code."""

    action = forms.ChoiceField(
        choices=[("on", "on"), ("off", "off"), ("new_code", "new_code")],
        error_messages={"invalid_choice": _("Please choose one of the buttons.")},
    )


class SurveySettingsForm(forms.Form):
    """k and how long the survey stays open."""

    min_responses = forms.IntegerField(
        label=_("Responses needed before results are shown"),
        min_value=SURVEY_MIN_RESPONSES_FLOOR,
        max_value=100,
        help_text=_(
            "Below this number nobody sees any result, so that no answer can "
            "be told apart. At least 3."
        ),
    )
    duration_days = forms.IntegerField(
        label=_("Days the survey stays open"), min_value=1, max_value=30
    )


class SurveyQuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(kind.value, kind.label) for kind in QUESTION_KINDS],
    )
    label = OneLineField(label=_("Question"), max_length=200)
    choices = forms.CharField(
        label=_("Choices, one per line (for a choice question)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def choice_list(self) -> list[str]:
        return [
            line.strip()
            for line in self.cleaned_data.get("choices", "").splitlines()
            if line.strip()
        ]


class AmendForm(forms.Form):
    """A numbered amendment of a lottery's committed terms (events.services.
    terms.terms_amend): the terms that may change, as they stand, and the
    reason, which is published with it."""

    # The terms' fields as the gathering form has them: one rule for each.
    capacity = GatheringForm.base_fields["capacity"]
    company_cap = forms.IntegerField(
        label=_("Winners per verified company at most"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("Empty: no cap."),
    )
    claim_window_hours = GatheringForm.base_fields["claim_window_hours"]
    offer_cutoff_hours = GatheringForm.base_fields["offer_cutoff_hours"]
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Published with the amendment, on the page and in the record."),
        error_messages={"required": _("Please say why the terms change.")},
    )

    @classmethod
    def initial_from(cls, terms: dict) -> dict:
        return {
            "capacity": terms["capacity"],
            "company_cap": terms["company_cap"],
            "claim_window_hours": terms["claim_window_seconds"] // 3600,
            "offer_cutoff_hours": terms["offer_cutoff_seconds"] // 3600,
        }

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(
                self.fields["reason"].error_messages["required"]
            )
        return reason

    def changes(self) -> dict:
        """The terms as the service names them."""
        data = self.cleaned_data
        return {
            "capacity": data["capacity"],
            "company_cap": data["company_cap"],
            "claim_window_seconds": data["claim_window_hours"] * 3600,
            "offer_cutoff_seconds": data["offer_cutoff_hours"] * 3600,
        }


class FairnessOptionsForm(forms.Form):
    """The community's draw options its owners set (events.services.fairness.
    fairness_policy_update)."""

    overbooking = forms.BooleanField(
        label=_("Offer extra seats by measured attendance"),
        required=False,
        help_text=_(
            "Each lottery offers ceil(capacity ÷ attendance rate) seats, the rate "
            "measured from this community's own check-ins (at least 20 recorded, "
            "never more than twice the seats). The number is fixed in a "
            "gathering's terms when its applications open; gatherings already "
            "open keep theirs."
        ),
    )
