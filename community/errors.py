"""Domain errors of the community app, with their user-facing texts kept
together and keyed by code. Services raise them; views and forms turn them
into messages and status codes."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "nickname_format": _(
        "A nickname has 2 to 20 characters: letters (Hangul included), digits, "
        "'.', '_' or '-'."
    ),
    "nickname_taken": _("This nickname is already taken. Please choose another."),
    "nickname_cooldown": _(
        "Nicknames are fixed: you can change yours again on %(date)s."
    ),
    "nickname_required": _("Choose a nickname to be shown by your nickname."),
    "work_email_free_mail": _(
        "%(domain)s is a free email service. Please use the address your "
        "employer gave you."
    ),
    "work_email_same_as_login": _(
        "Please enter your work address; this one is your sign-in address."
    ),
    "work_email_already_verified": _("This work email is already verified."),
    "work_email_taken": _("This work email is already verified by another account."),
    "work_email_link_invalid": _(
        "This confirmation link is not valid. Please request a new one."
    ),
    "work_email_link_expired": _(
        "This confirmation link has expired. Please request a new one."
    ),
    "work_email_link_superseded": _(
        "A newer confirmation link was sent; please use the latest one."
    ),
    "work_email_wrong_member": _(
        "This confirmation link belongs to another account. Sign in as the "
        "member who requested it."
    ),
}


class CommunityError(Exception):
    """A refused action, with a code from MESSAGES and its parameters."""

    def __init__(self, code: str, **params):
        assert code in MESSAGES, code
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return (
            str(MESSAGES[self.code]) % self.params
            if self.params
            else str(MESSAGES[self.code])
        )
