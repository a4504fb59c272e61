"""The consent boxes of a sign-up form (email or social): add
``ConsentFormMixin`` before the form class and call ``consents_record`` once
the member exists.

    class SocialSignupForm(ConsentFormMixin, allauth SocialSignupForm):
        def save(self, request):
            with transaction.atomic():
                user = super().save(request)
                self.consents_record(user, how=ConsentSource.SOCIAL_SIGNUP)
            return user

Korean law (PIPA art. 15, 22) asks that each required consent be given
separately from the optional ones, with what is collected, why, for how long
and the right to refuse spelled out next to the box: the help texts say so
and link to the full documents in the versions in force.
"""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from community.models import ConsentSource, Member
from community.services.consents import consents_signup_record

# The names of the consent fields, for templates that lay them out apart.
CONSENT_FIELDS = ("agree_terms", "agree_privacy", "agree_age", "agree_marketing")


def _help_with_link(text: str, url_name: str, link_text: str) -> str:
    return format_html(
        '{} <a href="{}" target="_blank" rel="noopener">{}</a>',
        text,
        reverse(url_name),
        link_text,
    )


class ConsentFormMixin(forms.Form):
    """Three required boxes (the terms, the collection and use of personal
    information, being 14 or older) and one optional box (email news). An
    unticked required box refuses the form with a translated error on that
    box, so nothing is created."""

    agree_terms = forms.BooleanField(
        label=_("I agree to the terms of service (required)"),
        error_messages={
            "required": _("To sign up, please agree to the terms of service.")
        },
    )
    agree_privacy = forms.BooleanField(
        label=_(
            "I agree to the collection and use of my personal information (required)"
        ),
        error_messages={
            "required": _(
                "To sign up, please agree to the collection and use of your "
                "personal information."
            )
        },
    )
    agree_age = forms.BooleanField(
        label=_("I am 14 years old or older (required)"),
        error_messages={"required": _("Moim is open to people aged 14 or older.")},
    )
    agree_marketing = forms.BooleanField(
        label=_("Email me news and invitations from Moim (optional)"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set per request: the links are reversed and the texts translated
        # in the language of the page.
        fields = self.fields
        for name in CONSENT_FIELDS:
            # The box comes before its label (moim.css): no colon after it.
            fields[name].label_suffix = ""
        fields["agree_terms"].help_text = _help_with_link(
            gettext("The rules for using Moim."),
            "legal_terms",
            gettext("Read the terms of service"),
        )
        fields["agree_privacy"].help_text = _help_with_link(
            gettext(
                "Collected: email address, name (and nickname), password (stored "
                "only as a hash), job role and experience. Purpose: your account, "
                "showing you to other members, and gatherings. Kept until you "
                "leave, unless a law says longer. You may refuse, but then you "
                "cannot sign up."
            ),
            "legal_privacy",
            gettext("Read the privacy policy"),
        )
        fields["agree_marketing"].help_text = gettext(
            "Collected: email address. Purpose: news about Moim and invitations to "
            "gatherings. You can withdraw at any time in your settings; every two "
            "years Moim asks you to confirm it. Refusing changes nothing else."
        )

    def consents_record(self, member: Member, *, how: str = ConsentSource.SIGNUP):
        """Store the consents this form collected for ``member``, who was
        just created, in the same transaction."""
        return consents_signup_record(
            member=member,
            marketing=bool(self.cleaned_data.get("agree_marketing")),
            how=how,
        )


class RequiredConsentForm(forms.Form):
    """Agreeing to the new versions of the required documents; with
    ``ask_age``, for a member who never confirmed it (an account made by
    staff on the command line), being 14 or older too."""

    agree = forms.BooleanField(
        label=_("I have read and agree to the new version (required)"),
        error_messages={
            "required": _("To keep using Moim, please agree to the new version.")
        },
    )
    agree_age = ConsentFormMixin.base_fields["agree_age"]

    def __init__(self, *args, ask_age: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_age:
            del self.fields["agree_age"]


class MarketingConsentForm(forms.Form):
    """Giving, confirming again or withdrawing consent to email news."""

    GIVE = "give"
    RECONFIRM = "reconfirm"
    WITHDRAW = "withdraw"

    action = forms.ChoiceField(
        choices=[
            (GIVE, _("Receive email news")),
            (RECONFIRM, _("Keep receiving email news")),
            (WITHDRAW, _("Withdraw consent to email news")),
        ],
        error_messages={"required": _("Please choose what to do.")},
    )
