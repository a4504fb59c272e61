"""Forms of credentials: what a member includes in one they issue, and the
public verification page's pasted text or file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.credentials import TOKEN_LIMIT
from events.errors import MESSAGES, EventsError


class CredentialIssueForm(forms.Form):
    """What the credential carries beside the title, which it always
    carries; never the takeaway, which is not offered."""

    include = forms.MultipleChoiceField(
        label=_("Include"),
        choices=[
            ("date", _("The date")),
            ("community", _("The community")),
            ("role", _("My role (attendee, host or answerer)")),
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CredentialVerifyForm(forms.Form):
    """A credential pasted as text or chosen as a file (its .jwt), not
    both; either way at most ``TOKEN_LIMIT`` characters."""

    credential = forms.CharField(
        label=_("Credential"),
        help_text=_("All of its text, as you copied or downloaded it."),
        required=False,
        strip=True,
        max_length=TOKEN_LIMIT,
        error_messages={"max_length": MESSAGES["credential_too_large"]},
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=_("Or choose its file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".jwt,.txt,text/plain"}),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        text, upload = data.get("credential") or "", data.get("file")
        if text and upload:
            raise forms.ValidationError(EventsError("credential_both").message)
        if upload:
            if upload.size > TOKEN_LIMIT:
                raise forms.ValidationError(EventsError("credential_too_large").message)
            try:
                text = upload.read(TOKEN_LIMIT + 1).decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError(
                    EventsError("credential_not_text").message
                ) from None
        if not text.strip():
            raise forms.ValidationError(EventsError("credential_empty").message)
        data["raw"] = text
        return data
