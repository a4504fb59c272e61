"""Forms for reports, moderator actions, sanctions and moderator roles. They
only parse and validate input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.errors import MESSAGES
from community.fields import OneLineField, SeoulDateTimeField
from community.models import MembershipRole, SanctionKind
from community.services.moderation import QUEUE_ACTIONS


class ReportForm(forms.Form):
    thread = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    comment = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why are you reporting this?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please tell the moderators why.")},
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("thread") and not cleaned.get("comment"):
            raise forms.ValidationError(MESSAGES["moderation_target_missing"])
        return cleaned


class ModerationActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in sorted(QUEUE_ACTIONS)])
    thread = forms.IntegerField(required=False, min_value=1)
    comment = forms.IntegerField(required=False, min_value=1)
    report = forms.IntegerField(required=False, min_value=1)
    reason = OneLineField(label=_("Reason"), max_length=300, required=False)
    next = OneLineField(required=False, max_length=500)

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("thread", "comment", "report")):
            raise forms.ValidationError(MESSAGES["moderation_target_missing"])
        return cleaned


class SanctionForm(forms.Form):
    member = OneLineField(
        label=_("Member's public id"),
        max_length=16,
        help_text=_("The last part of the member's profile address."),
    )
    kind = forms.ChoiceField(
        label=_("Sanction"),
        choices=SanctionKind.choices,
        widget=forms.RadioSelect,
        initial=SanctionKind.MUTE,
    )
    reason = OneLineField(label=_("Reason"), max_length=300)
    ends_at = SeoulDateTimeField(
        label=_("Until (Korean time)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        help_text=_("Leave empty for a sanction that lasts until it is lifted."),
    )

    def clean_member(self):
        return self.cleaned_data["member"].strip()

    def clean_ends_at(self):
        ends_at = self.cleaned_data["ends_at"]
        if ends_at is not None and ends_at <= timezone.now():
            raise forms.ValidationError(MESSAGES["sanction_in_past"])
        return ends_at


class RoleForm(forms.Form):
    member = OneLineField(label=_("Member's public id"), max_length=16)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (MembershipRole.MODERATOR, MembershipRole.MODERATOR.label),
            (MembershipRole.MEMBER, MembershipRole.MEMBER.label),
        ],
    )

    def clean_member(self):
        return self.cleaned_data["member"].strip()
