"""Faces and covers: ``{% avatar member %}`` and ``{% cover gathering %}``.

A member without a picture gets one drawn for them: their initials on a
colour of their own (derived from their public id, so it never changes and
tells members apart), that costs no request: at the size repeated down a
page (a comment's head, ``COMPACT``), a letter box that static/css/moim.css
draws as a circle of its colour (``span.avatar``: a few dozen bytes);
at other sizes an inline SVG. A gathering
without a cover gets a drawn one in its community's colour. Both read only
columns of the row already loaded (``avatar``, ``cover``): no query.
"""

import hashlib
import unicodedata

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from community.display import display_name
from community.images import AVATAR, COVER, image_url

register = template.Library()

# Backgrounds that white text reads on (contrast >= 4.5:1), distinct enough
# to tell members apart at a glance.
PALETTE = (
    "#1f6f5c",  # green
    "#2f5fb3",  # blue
    "#8a3ffc",  # violet
    "#b3361f",  # red
    "#7a5a00",  # ochre
    "#0f6a8a",  # teal
    "#a3246b",  # magenta
    "#4a5563",  # slate
)
# A cover's two colours: a deep one and a light one of the same hue.
COVER_PALETTE = (
    ("#1f6f5c", "#9fd9c6"),
    ("#2f5fb3", "#a9c3f0"),
    ("#6b2fd1", "#cdb6f7"),
    ("#b3361f", "#f2b8a8"),
    ("#7a5a00", "#f0d98a"),
    ("#0f6a8a", "#9ad7ea"),
)


def _index(seed: str, size: int) -> int:
    return hashlib.blake2s(seed.encode(), digest_size=2).digest()[0] % size


def initials(name: str, *, is_real_name: bool = True) -> str:
    """What a drawn picture shows: a Korean real name's given name (김민준 →
    민준; two syllables at most), the start of a Korean nickname (그로스해커 →
    그로), otherwise the first letters of the first two words (Jane Doe →
    JD), or the first character."""
    name = " ".join(name.split())
    if not name:
        return "?"
    if all(unicodedata.name(c, "").startswith("HANGUL") for c in name):
        if is_real_name and len(name) >= 3:
            return name[1:3]
        return name[:2]
    words = [w for w in name.split(" ") if w]
    if len(words) >= 2 and words[0][0].isalpha() and words[1][0].isalpha():
        return (words[0][0] + words[1][0]).upper()
    return name[0].upper()


# Sizes drawn as a styled letter box (static/css/moim.css, ``span.avatar``:
# its size class ``s<size>``, its colour class ``c<index in PALETTE>``,
# ``two`` for two letters) rather than an inline SVG: a comment's head, once
# per comment, where the SVG weighed some 260 bytes. Both look alike.
COMPACT = frozenset({28})


def _drawn_avatar(seed: str, name: str, size: int, is_real_name: bool) -> SafeString:
    letters = initials(name, is_real_name=is_real_name)
    colour = _index(seed, len(PALETTE))
    if size in COMPACT:
        return format_html(
            '<span class="avatar s{size} c{colour}{two}" aria-hidden="true">'
            "{letters}</span>",
            size=size,
            colour=colour,
            two=" two" if len(letters) > 1 else "",
            letters=letters,
        )
    # Two Hangul syllables or Latin letters fit a circle at these sizes.
    font = 40 if len(letters) > 1 else 48
    return format_html(
        '<svg class="avatar" width="{size}" height="{size}" viewBox="0 0 100 100" '
        'aria-hidden="true" focusable="false"><circle cx="50" cy="50" r="50" '
        'fill="{colour}"/><text x="50" y="50" dy=".35em" text-anchor="middle" '
        'font-size="{font}" font-weight="600" fill="#fff">{letters}</text></svg>',
        size=size,
        colour=PALETTE[colour],
        font=font,
        letters=letters,
    )


@register.simple_tag
def avatar(member, size: int = 40, context=None, name: str | None = None) -> SafeString:
    """``member``'s picture, ``size`` CSS pixels square. Decorative: the
    name always stands next to it, so it has an empty alternative text. The
    drawn default shows the initials of the name shown beside it: ``name``
    when the page has it, otherwise the name in ``context`` (a community
    that requires real names)."""
    size = int(size)
    key = getattr(member, "avatar", "")
    if key:
        small, large = AVATAR.widths
        return format_html(
            '<img class="avatar" src="{}" srcset="{} {}w, {} {}w" sizes="{}px" '
            'width="{}" height="{}" alt="" loading="lazy" decoding="async">',
            image_url(key, small if size <= small // 2 else large),
            image_url(key, small),
            small,
            image_url(key, large),
            large,
            size,
            size,
            size,
        )
    shown = name if name is not None else display_name(member, context)
    return _drawn_avatar(
        getattr(member, "public_id", "") or str(getattr(member, "pk", "")),
        shown,
        size,
        is_real_name=shown == getattr(member, "real_name", shown),
    )


@register.simple_tag
def cover(gathering, eager: bool = False) -> SafeString:
    """``gathering``'s cover, 2:1, as wide as its box; decorative (the title
    is next to it)."""
    key = getattr(gathering, "cover", "")
    if key:
        small, large = COVER.widths
        return format_html(
            '<img class="cover" src="{}" srcset="{} {}w, {} {}w" '
            'sizes="(max-width: 700px) 100vw, 960px" width="{}" height="{}" '
            'alt="" loading="{}" decoding="async">',
            image_url(key, large),
            image_url(key, small),
            small,
            image_url(key, large),
            large,
            large,
            large // 2,
            "eager" if eager else "lazy",
        )
    seed = str(getattr(gathering, "community_id", "") or gathering.pk)
    deep, light = COVER_PALETTE[_index(seed, len(COVER_PALETTE))]
    turn = _index(str(gathering.pk), 4)
    return format_html(
        '<svg class="cover cover-drawn" viewBox="0 0 400 200" '
        'preserveAspectRatio="xMidYMid slice" aria-hidden="true" focusable="false">'
        '<rect width="400" height="200" fill="{deep}"/>'
        '<g fill="{light}" transform="rotate({angle} 200 100)">'
        '<circle cx="330" cy="40" r="90" opacity=".35"/>'
        '<circle cx="60" cy="190" r="120" opacity=".25"/>'
        '<circle cx="250" cy="150" r="44" opacity=".5"/>'
        '<circle cx="120" cy="60" r="18" opacity=".6"/></g></svg>',
        deep=deep,
        light=light,
        angle=turn * 90,
    )
