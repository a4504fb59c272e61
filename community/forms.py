from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.socialaccount.forms import DisconnectForm as AllauthDisconnectForm
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from community.errors import MESSAGES, CommunityError
from community.fields import OneLineField
from community.forms_consent import ConsentFormMixin
from community.models import ConsentSource, DisplayMode, Member
from community.roles import ExperienceBand, JobRole
from community.services.members import nickname_normalise


class SignupForm(ConsentFormMixin, AllauthSignupForm):
    """allauth's sign-up form plus the real name every member has and the
    consents Korean law asks for."""

    real_name = OneLineField(
        label=_("Real name"),
        max_length=50,
        help_text=_("Shown where a community requires real names."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    field_order = [
        "email",
        "real_name",
        "password1",
        "password2",
        "agree_terms",
        "agree_privacy",
        "agree_age",
        "agree_marketing",
    ]

    def clean_real_name(self):
        name = self.cleaned_data["real_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter your real name."))
        return name

    def try_save(self, request):
        """Create the account, or, when the email already has one, create
        nothing and send that account a mail (ACCOUNT_PREVENT_ENUMERATION).
        The password is hashed on both paths: only a new account's was, and
        that one hash (most of a sign-up's time) told by timing whether an
        email has an account."""
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def save(self, request):
        # The member and what they agreed to exist together or not at all.
        with transaction.atomic():
            member = super().save(request)
            self.consents_record(member, how=ConsentSource.SIGNUP)
        return member


class SocialSignupForm(ConsentFormMixin, AllauthSocialSignupForm):
    """allauth's sign-up form for a member coming from Kakao, Naver or
    Google: the address the provider gave (fixed: another one typed here
    would sit on an account that the provider's holder signs in to, waiting
    for its owner to take it over; a member adds addresses once signed in),
    or one typed when the provider gave none; the real name (filled in when
    the provider has one) and the consents, as on the email sign-up form. No
    password: the provider is the way in. As after an email sign-up, the
    welcome page then asks for the job role and a nickname. An address the
    provider did not verify is verified by Moim's mail before the account
    opens, and a provider that did not give it is no longer connected once
    it is (community.social.links); an address that has an account already
    gets that account a mail and this visitor the same page as any sign-up
    (ACCOUNT_PREVENT_ENUMERATION), never a sign-in to it."""

    real_name = SignupForm.base_fields["real_name"]
    clean_real_name = SignupForm.clean_real_name

    field_order = [
        "email",
        "real_name",
        "agree_terms",
        "agree_privacy",
        "agree_age",
        "agree_marketing",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        given = [address.email for address in self.sociallogin.email_addresses]
        if given:
            self.initial["email"] = given[0]
            self.fields["email"].disabled = True

    def save(self, request):
        # The member, the provider link and the consents exist together or
        # not at all.
        with transaction.atomic():
            member = super().save(request)
            self.consents_record(member, how=ConsentSource.SOCIAL_SIGNUP)
        return member


class DisconnectForm(AllauthDisconnectForm):
    """allauth's form to disconnect a provider, listing only the providers
    that are switched on: an account of one switched off is no way in, and
    allauth could not name it (community.social.adapter)."""

    def __init__(self, *args, **kwargs):
        from community.social.adapter import provider_enabled

        super().__init__(*args, **kwargs)
        enabled = [
            account.pk
            for account in self.accounts
            if provider_enabled(account.provider)
        ]
        self.accounts = self.accounts.filter(pk__in=enabled)
        self.fields["account"].queryset = self.accounts


class ProfileForm(forms.Form):
    real_name = OneLineField(label=_("Real name"), max_length=50)
    nickname = OneLineField(
        label=_("Nickname"),
        max_length=40,
        required=False,
        help_text=_(
            "2 to 20 characters. Nicknames are fixed: after a change the next one "
            "is possible 90 days later."
        ),
    )
    # "Former member" is what leaving Moim sets, never a member's choice.
    display_mode = forms.ChoiceField(
        label=_("Show me as"),
        choices=[
            (mode.value, mode.label)
            for mode in (DisplayMode.REAL_NAME, DisplayMode.NICKNAME)
        ],
        widget=forms.RadioSelect,
    )
    role = forms.ChoiceField(label=_("Job role"), choices=JobRole.choices)
    experience = forms.ChoiceField(
        label=_("Experience"), choices=ExperienceBand.choices
    )
    company = OneLineField(label=_("Company"), max_length=80, required=False)
    bio = forms.CharField(
        label=_("About me"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few lines other members see on your profile (500 characters)."),
    )
    show_company = forms.BooleanField(
        label=_("Show my company on my profile"), required=False
    )

    def __init__(self, *args, member: Member, **kwargs):
        self.member = member
        initial = {
            "real_name": member.real_name,
            "nickname": member.nickname,
            "display_mode": member.display_mode,
            "role": member.role,
            "experience": member.experience,
            "company": member.company,
            "bio": member.bio,
            "show_company": member.show_company,
        }
        super().__init__(*args, initial=initial, **kwargs)
        # Nothing chosen for the member: a new member picks their job role
        # and experience themselves, and hears so when they skip one.
        for name, prompt, missing in (
            ("role", _("Choose your job role"), _("Please choose your job role.")),
            (
                "experience",
                _("Choose your experience"),
                _("Please choose your experience."),
            ),
        ):
            if not initial[name]:
                field = self.fields[name]
                field.choices = [("", prompt), *field.choices]
                field.error_messages["required"] = missing

    def clean_real_name(self):
        name = self.cleaned_data["real_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please enter your real name."))
        return name

    def clean_nickname(self):
        nickname = self.cleaned_data["nickname"]
        if not nickname:
            return ""
        try:
            return nickname_normalise(nickname)[0]
        except CommunityError as err:
            raise forms.ValidationError(err.message, code=err.code) from err

    def clean(self):
        data = super().clean()
        nickname = data.get("nickname") or self.member.nickname
        if data.get("display_mode") == DisplayMode.NICKNAME and not nickname:
            self.add_error("nickname", CommunityError("nickname_required").message)
        return data


class WorkEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Work email"),
        # A form's EmailField allows 320 characters, the column 254: on
        # PostgreSQL a longer address was a server error.
        max_length=Member._meta.get_field("work_email_pending").max_length,
        help_text=_(
            "An address on your employer's domain. Free-mail addresses cannot be used."
        ),
    )


class VerificationResendForm(forms.Form):
    """The address to send a new sign-up confirmation link to, from the
    "check your mail" page."""

    email = forms.EmailField(
        label=_("Email"), max_length=Member._meta.get_field("email").max_length
    )


class LeaveForm(forms.Form):
    """Leaving Moim: the member confirms they read what it deletes."""

    confirm = forms.BooleanField(
        label=_("I understand that my account and personal data are deleted for good."),
        error_messages={"required": MESSAGES["leave_confirm_required"]},
    )


class PictureForm(forms.Form):
    """A picture to upload (a member's avatar, a gathering's cover), or the
    wish to go back to the drawn default. The file's content is checked by
    the service (community.images), not here: a name or a browser's type
    proves nothing."""

    picture = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP or GIF. Its location and camera details are removed."
        ),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    remove = forms.BooleanField(label=_("Use the default picture"), required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("picture") and not data.get("remove"):
            raise forms.ValidationError(MESSAGES["image_required"])
        return data
