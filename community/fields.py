"""Form fields shared by the apps' forms."""

import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

# Organisers and moderators type times in Korean time whatever the page
# language; the database keeps UTC (USE_TZ).
SEOUL = ZoneInfo("Asia/Seoul")
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
# Nothing Moim schedules lies before this or more than this far ahead; a
# date outside is a typo, and one near year 1 or 9999 overflows the moment
# it is converted to UTC or shifted (a calendar file, a survey's close).
EARLIEST = datetime(2000, 1, 1, tzinfo=SEOUL)
HORIZON = timedelta(days=5 * 366)


class SeoulDateTimeField(forms.DateTimeField):
    """A date and time read as Asia/Seoul local time, returned aware, and
    shown in Seoul time too, since that is how it was typed. Refused unless
    it lies between 2000 and five years from now."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format=DATETIME_INPUT
    )
    default_error_messages = {
        "out_of_range": _("Please enter a date between %(first)s and %(last)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", [DATETIME_INPUT, "%Y-%m-%d %H:%M"])
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(SEOUL):
            value = super().to_python(value)
        if value is None:
            return None
        last = timezone.now() + HORIZON
        if not EARLIEST <= value <= last:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={
                    "first": formats.date_format(EARLIEST.date()),
                    "last": formats.date_format(timezone.localtime(last, SEOUL)),
                },
            )
        return value

    def prepare_value(self, value):
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = timezone.localtime(value, SEOUL).replace(tzinfo=None)
        return super().prepare_value(value)


class JSONField(forms.JSONField):
    """Django's JSON form field, refusing as invalid what ``json.loads``
    fails on with a ValueError other than a syntax error (a number of more
    than 4,300 digits): it escaped the form, a server error."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValueError as error:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from error

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:
            return InvalidJSONInput(data)


# The Unicode categories of what has no place on one line: line breaks, tabs
# and the other control characters, and the line and paragraph separators.
# The one definition: forms refuse these (validate_one_line) and the calendar
# feeds turn them into spaces (events/calendar.py).
NOT_ON_ONE_LINE = frozenset({"Cc", "Zl", "Zp"})


def validate_one_line(value: str) -> None:
    """Refuse what has no place in a title, a name or a place: a line break
    or another control character. Where such text goes on one line (a
    calendar's SUMMARY, a mail's subject, a CSV cell) a line break starts
    something else; icalendar refused the whole file."""
    if any(unicodedata.category(ch) in NOT_ON_ONE_LINE for ch in value):
        raise ValidationError(
            _("Please use one line, without line breaks or control characters."),
            code="one_line",
        )


class OneLineField(forms.CharField):
    """A CharField for text on one line: titles, names, places, short
    answers. Every such field of every form is one of these (the admin's
    forms add the validator: community.admin.OneLineAdmin); tests/community/
    test_fields.py checks it."""

    default_validators = [validate_one_line]


def one_line_checked(field: forms.Field | None) -> forms.Field | None:
    """``field`` refusing line breaks and control characters when it takes
    one line of text (not a text area, a password or a hidden value); for
    form fields the project does not declare itself (the admin's)."""
    if (
        isinstance(field, forms.CharField)
        and not isinstance(
            field.widget, forms.Textarea | forms.PasswordInput | forms.HiddenInput
        )
        and validate_one_line not in field.validators
    ):
        field.validators.append(validate_one_line)
    return field
