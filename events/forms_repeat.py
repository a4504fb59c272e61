"""Forms for repeating a gathering (events.services.series): the dates of
the next one, and a series' rule and end. A copy is checked by the gathering
form itself (``copy_check``), so that a copied gathering obeys the rules a
new one does."""

from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from events import recurrence
from events.forms_organise import DATETIME_FIELDS, GatheringForm
from events.models import SERIES_MAX_OCCURRENCES, Gathering, SeriesRule

MESSAGES = {
    "one_end": _("Give either a number of gatherings or an end date."),
}


class RepeatForm(forms.Form):
    """The schedule of "the next one from this", proposed and editable; the
    fields as the gathering form has them."""

    starts_at = GatheringForm.base_fields["starts_at"]
    ends_at = GatheringForm.base_fields["ends_at"]
    applications_open_at = GatheringForm.base_fields["applications_open_at"]
    applications_close_at = GatheringForm.base_fields["applications_close_at"]

    def copy_check(
        self, *, source: Gathering, host_ids: list[str], host_lookup
    ) -> bool:
        """Run the gathering form over ``source``'s settings with this
        schedule; its refusals land on this form (a schedule problem on its
        field, any other on the form). Call once ``is_valid``."""
        data = GatheringForm.initial_from(source, host_ids)
        data.update({name: self.cleaned_data[name] for name in DATETIME_FIELDS})
        check = GatheringForm(data, host_lookup=host_lookup)
        if check.is_valid():
            return True
        for name, errors in check.errors.items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)
        return False

    def schedule(self) -> dict[str, datetime]:
        return {name: self.cleaned_data[name] for name in DATETIME_FIELDS}


class SeriesForm(forms.Form):
    """How a gathering repeats and for how long."""

    rule = forms.ChoiceField(
        label=_("Repeats"),
        choices=SeriesRule.choices,
        initial=SeriesRule.WEEKLY,
        widget=forms.RadioSelect,
    )
    count = forms.IntegerField(
        label=_("Number of gatherings"),
        required=False,
        min_value=2,
        max_value=SERIES_MAX_OCCURRENCES,
    )
    until = forms.DateField(
        label=_("Or until (Korean date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        help_text=_("The last gathering is on or before this date."),
    )
    publish = forms.BooleanField(
        label=_("Publish each gathering automatically"),
        required=False,
        initial=True,
        help_text=_(
            "Each one is published when it is made, eight weeks ahead, with "
            "its application window placed as this one's. Untick to get "
            "drafts to check and publish yourself."
        ),
    )

    def __init__(self, *args, starts_at: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted here, in the language of the request, not at import.
        self.fields["count"].help_text = _("This one included, at most %(limit)s.") % {
            "limit": SERIES_MAX_OCCURRENCES
        }
        if starts_at is not None:
            # "Every Tuesday" says more than "Every week".
            self.fields["rule"].choices = [
                (value, recurrence.rule_label(starts_at, value))
                for value, _label in SeriesRule.choices
            ]

    def clean(self):
        cleaned = super().clean()
        has_count = cleaned.get("count") is not None
        has_until = cleaned.get("until") is not None
        if (
            has_count == has_until
            and "count" not in self.errors
            and ("until" not in self.errors)
        ):
            raise forms.ValidationError(MESSAGES["one_end"])
        return cleaned
