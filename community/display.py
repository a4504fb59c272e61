"""How a member is shown: the one function every page and email goes through."""

from typing import Protocol

from django.utils.translation import gettext as _

from community.models import DisplayMode, Member


class DisplayContext(Protocol):
    """Where a member is shown, e.g. a community that requires real names."""

    requires_real_names: bool


def display_name(member: Member, context: DisplayContext | None = None) -> str:
    """The name to show for ``member`` in ``context``.

    A context that requires real names always gets the real name; otherwise
    the member's own choice decides, falling back to the real name while no
    nickname is set. A member without either (only possible for accounts made
    outside sign-up) is shown as "Member"; one who left, as "former member"
    everywhere, whatever the context.
    """
    if member.display_mode == DisplayMode.FORMER:
        return _("former member")
    if context is not None and context.requires_real_names:
        return member.real_name or _("Member")
    if member.display_mode == DisplayMode.NICKNAME and member.nickname:
        return member.nickname
    return member.real_name or member.nickname or _("Member")
