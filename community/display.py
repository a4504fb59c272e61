"""How a member is shown: the one function every page and email goes through."""

from typing import Protocol

from django.db.models import Q
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


def shown_name_q(
    context: DisplayContext | None, lookup: str, value: str, *, via: str = ""
) -> Q:
    """Members whose name as ``display_name`` shows them in ``context``
    matches ``value`` (a casefolded, NFKC-normalised search) by ``lookup``
    ("icontains", "istartswith", "iexact"); ``via`` prefixes the fields
    ("member__" from an application). The one rule of which name of a member
    may be searched: only the name shown. Where real names are shown, a
    member's nickname is never matched (that would tie it to the real name);
    where the nickname is shown, the real name is not; one who left is never
    found by name."""

    def field(name: str) -> str:
        return f"{via}{name}"

    former = Q(**{field("display_mode"): DisplayMode.FORMER})
    real_name = Q(**{f"{field('real_name')}__{lookup}": value})
    nickname = Q(**{f"{field('nickname_key')}__{lookup}": value})
    if context is not None and context.requires_real_names:
        return real_name & ~former
    shows_nickname = Q(**{field("display_mode"): DisplayMode.NICKNAME}) & ~Q(
        **{field("nickname"): ""}
    )
    no_real_name = Q(**{field("real_name"): ""})
    shown = (shows_nickname & nickname) | (
        ~shows_nickname & (real_name | (no_real_name & nickname))
    )
    return shown & ~former
