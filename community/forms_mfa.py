"""allauth's passkey forms, with the name field labelled in the member's
language: allauth leaves it to Django's automatic label ("Name"), which no
catalogue translates (settings.MFA_FORMS)."""

from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django.utils.translation import gettext_lazy as _

NAME_LABEL = _("Passkey name")
NAME_HELP = _("To tell your passkeys apart, e.g. “work laptop”.")


class PasskeyAddForm(AddWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = NAME_LABEL
        self.fields["name"].help_text = NAME_HELP


class PasskeyRenameForm(EditWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].label = NAME_LABEL
        self.fields["name"].help_text = NAME_HELP
