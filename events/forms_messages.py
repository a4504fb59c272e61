"""The form an organiser writes a message to applicants with. It parses and
validates; the rules it asks (the video link, the time) are
``events.access``'s, which ``events.services.messages`` asks again."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.fields import OneLineField, SeoulDateTimeField
from events.access import message_link_refusal, message_time_refusal
from events.models import Gathering, MessageSegment

NOW = "now"
LATER = "later"
SUBJECT_LIMIT = 120
BODY_LIMIT = 5000


class MessageForm(forms.Form):
    segment = forms.ChoiceField(
        label=_("To"),
        choices=MessageSegment.choices,
        initial=MessageSegment.ALL,
        widget=forms.RadioSelect,
    )
    subject = OneLineField(label=_("Subject"), max_length=SUBJECT_LIMIT)
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Markdown: **bold**, lists, links. Sent in-app and by email."),
    )
    when = forms.ChoiceField(
        label=_("When to send"),
        choices=[(NOW, _("Send now")), (LATER, _("Send later"))],
        initial=NOW,
        widget=forms.RadioSelect,
    )
    send_at = SeoulDateTimeField(label=_("Send at (Korean time)"), required=False)

    def __init__(self, *args, gathering: Gathering, counts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.gathering = gathering
        if counts is not None:
            self.fields["segment"].choices = [
                (value, f"{label} · {counts.get(value, 0)}")
                for value, label in MessageSegment.choices
            ]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError(_("Please write a message."), code="required")
        return body

    def clean(self):
        data = super().clean()
        if data.get("when") == LATER:
            send_at = data.get("send_at")
            if send_at is None:
                if "send_at" not in self.errors:
                    self.add_error(
                        "send_at", _("Please choose when to send the message.")
                    )
            else:
                refusal = message_time_refusal(send_at, timezone.now())
                if refusal is not None:
                    self.add_error("send_at", refusal.message)
        else:
            data["send_at"] = None
        if {"segment", "subject", "body"} <= data.keys():
            refusal = message_link_refusal(
                gathering=self.gathering,
                segment=data["segment"],
                subject=data["subject"],
                body=data["body"],
                at=data.get("send_at") or timezone.now(),
            )
            if refusal is not None:
                self.add_error(None, refusal.message)
        return data
