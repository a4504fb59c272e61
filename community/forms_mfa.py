"""allauth's passkey forms, with the name field labelled in the member's
language (allauth leaves it to Django's automatic label, "Name", which no
catalogue translates) and kept to one line like every name the site stores
(settings.MFA_FORMS)."""

from allauth.mfa.webauthn.forms import AddWebAuthnForm, EditWebAuthnForm
from django.utils.translation import gettext_lazy as _

from community.fields import OneLineField

NAME_LABEL = _("Passkey name")
NAME_HELP = _("To tell your passkeys apart, e.g. “work laptop”.")


class PasskeyAddForm(AddWebAuthnForm):
    # Optional, as allauth's: a passkey made without a name gets one.
    name = OneLineField(
        label=NAME_LABEL, help_text=NAME_HELP, required=False, max_length=100
    )


class PasskeyRenameForm(EditWebAuthnForm):
    name = OneLineField(label=NAME_LABEL, help_text=NAME_HELP, max_length=100)
