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
    "nickname_required": _("To be shown by a nickname, choose a nickname first."),
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
    "work_email_rate_limited": _(
        "You have asked for too many confirmation links. Please try again later."
    ),
    "work_email_wrong_member": _(
        "This confirmation link belongs to another account. Sign in as the "
        "member who requested it."
    ),
    # Access to a community
    "login_required": _("Please sign in first."),
    "banned": _("You are banned from this community."),
    "not_member": _("Join this community to take part."),
    "muted": _("You are muted in this community until %(until)s."),
    "muted_indefinitely": _("You are muted in this community."),
    "role_mismatch": _(
        "Only members whose job role is %(role)s can post in this community."
    ),
    "work_unverified": _(
        "Only members verified at work can post in this community. Verify your "
        "work email first."
    ),
    "not_readable": _("This community is open to its members only."),
    "already_member": _("You are already a member of this community."),
    "owner_cannot_leave": _(
        "An owner cannot leave; hand the community to another owner first."
    ),
    # Threads and comments
    "rate_new_member_threads": _(
        "New members can start %(limit)s threads on their first day. You can post "
        "again at %(time)s."
    ),
    "rate_new_member_comments": _(
        "New members can write %(limit)s comments on their first day. You can "
        "comment again at %(time)s."
    ),
    "rate_per_minute": _("You are posting too fast. You can post again at %(time)s."),
    "rate_edits": _("You are editing too fast. You can edit again at %(time)s."),
    "thread_locked": _("This thread is locked; no new comments."),
    "thread_unavailable": _("This thread is no longer available."),
    "promotion_board_only": _("Promotion is allowed only on the %(board)s board."),
    "not_author": _("Only the author can do this."),
    "helpful_question_only": _("Only a question can have a helpful answer."),
    "comment_unavailable": _("This comment is no longer available."),
    "empty_body": _("Please write something."),
    # Moderation
    "moderator_only": _("Only this community's moderators can do this."),
    "owner_only": _("Only this community's owners can do this."),
    "already_reported": _("You have already reported this."),
    "cannot_sanction_moderator": _("Moderators cannot be banned or muted here."),
    "moderation_target_missing": _(
        "Choose what this action applies to: a thread, a comment or a report."
    ),
    "sanction_in_past": _("The end date must be in the future."),
    "member_not_found": _("No member of this community has this public id."),
    "owner_role_fixed": _("An owner's role cannot be changed."),
    # Pictures (community.images)
    "image_too_large": _("This picture is too large: at most %(limit)s, please."),
    "picture_rate_limited": _(
        "You have sent many pictures in the last hour. Please try again later."
    ),
    "image_too_many_pixels": _(
        "This picture has too many pixels. Please send a smaller one."
    ),
    "image_unreadable": _(
        "This is not a picture we can read: send a JPEG, PNG, WebP or GIF."
    ),
    "image_required": _("Please choose a picture."),
    # Your data, and leaving
    "data_export_too_soon": _(
        "You can ask for your data once a day. You can ask again at %(time)s."
    ),
    "data_export_link_invalid": _(
        "This download link is not valid. Please use the link on your data page."
    ),
    "data_export_link_expired": _(
        "This download link has expired. Please ask for your data again."
    ),
    "leave_confirm_required": _(
        "Please confirm that you understand what leaving deletes."
    ),
    # Follow levels
    "follow_level_invalid": _("Please choose how closely to follow it."),
    # The composer
    "preview_invalid": _("There is nothing to preview, or too much."),
    "mention_query_invalid": _("Type one to 20 characters after @."),
    "compose_rate_limited": _(
        "Too many previews or suggestions at once. Please wait a moment."
    ),
    # Push notifications (community.services.push)
    "push_endpoint_invalid": _(
        "This browser gave an address for notifications that Moim cannot use."
    ),
    "push_keys_invalid": _(
        "This browser gave keys for notifications that Moim cannot use."
    ),
    "push_too_many": _(
        "Notifications are on for %(limit)s devices already. Remove one first."
    ),
    "push_rate_limited": _(
        "Too many changes to notifications at once. Please wait a moment."
    ),
}

# The HTTP status of a page refused for each reason: 403 when the refusal is
# about who the member is; any code not named here is about what was sent
# (400).
STATUSES = dict.fromkeys(
    (
        "login_required",
        "banned",
        "not_member",
        "muted",
        "muted_indefinitely",
        "role_mismatch",
        "work_unverified",
        "not_author",
        "moderator_only",
        "owner_only",
        "not_readable",
    ),
    403,
) | {"compose_rate_limited": 429, "push_rate_limited": 429}


class KeyedError(Exception):
    """A refused action: a code from the app's ``messages`` and its
    parameters. Each app subclasses it with its own keyed texts and the
    HTTP status of a page refused for each (``statuses``, 400 unless
    named)."""

    messages: dict = {}
    statuses: dict = {}

    def __init__(self, code: str, **params):
        assert code in self.messages, code
        self.code = code
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        text = str(self.messages[self.code])
        return text % self.params if self.params else text

    @property
    def status(self) -> int:
        """The HTTP status of a page that refuses for this reason."""
        return self.statuses.get(self.code, 400)


class CommunityError(KeyedError):
    messages = MESSAGES
    statuses = STATUSES
