"""The frame every page shares (base.html), rendered once and kept:
``{% site_head %}`` (the stylesheet, icons and scripts), ``{% site_header %}``
(the navigation) and ``{% site_footer %}``.

The header (``base.html#site-header``: the links, the member's name and
picture, the unread count, the search and language forms) costs about a
thousand Python calls to render (a dozen ``{% url %}``s and
``{% translate %}``s, the picture, the language list), and for a given
language and member it is the same on every page but for three things:
the CSRF token of its two forms, the page's own address (where the
language form returns to) and the words in the search field. So it is
rendered once per everything else it shows and kept in this process,
keyed by those values (the language, the script prefix, whether someone
is signed in and, if so, their public id, names, how they are shown, their
picture and their unread count): a renamed member, a new picture or a new
notification makes another key, so a kept header is never stale and never
needs to be dropped. The three per-request values are slots (HTML comments
drawn from the site's secret, which no escaped text can spell) filled in
for each request: the CSRF field exactly as ``{% csrf_token %}`` renders it
from the page's context (so a page kept for signed-out readers still gets
its placeholder, community.page_cache), the address and the search words
escaped as the template escaped them.

The head's links and the footer show nothing of the request but the
language and whether someone is signed in: they are kept per those, and
rendered from a context holding nothing else.
"""

import functools
import threading

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import CsrfTokenNode
from django.template.loader import get_template
from django.urls import get_script_prefix
from django.utils.crypto import salted_hmac
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

HEAD = "base.html#site-head"
HEADER = "base.html#site-header"
FOOTER = "base.html#site-footer"
# Kept pieces in this process; past this many the oldest go (a header is
# a few KB).
KEPT_MAX = 2000

_kept: dict[tuple, str] = {}
_lock = threading.Lock()


@receiver(setting_changed)
def _settings_changed(**kwargs) -> None:
    # URLs, static and media addresses, languages: what a kept piece was
    # rendered with (tests override settings).
    with _lock:
        _kept.clear()


@functools.cache
def _slot(name: str) -> str:
    mark = salted_hmac("moim-site-frame-slot", name, algorithm="sha256")
    return f"<!--moim-frame-{mark.hexdigest()[:32]}-{name}-->"


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated


def _kept_render(name: str, key: tuple, context: dict) -> str:
    """``name`` rendered from ``context`` alone (no request, no context
    processors), kept under ``key``, which must hold every value the
    rendering shows that is not constant in this process."""
    key = (name, get_script_prefix(), *key)
    html = _kept.get(key)
    if html is not None:
        return html
    html = get_template(name).render(context)
    with _lock:
        while len(_kept) >= KEPT_MAX:
            _kept.pop(next(iter(_kept)))
        _kept[key] = html
    return html


@register.simple_tag(takes_context=True)
def site_head(context) -> SafeString:
    signed_in = _signed_in(context.get("user"))
    html = _kept_render(HEAD, (signed_in,), {"signed_in": signed_in})
    return mark_safe(html)  # noqa: S308 (rendered by an autoescaping template)


@register.simple_tag
def site_footer() -> SafeString:
    html = _kept_render(FOOTER, (get_language(),), {})
    return mark_safe(html)  # noqa: S308 (rendered by an autoescaping template)


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    """The header for this page's reader, kept per what it shows of them,
    with this request's CSRF field, address and search words filled in."""
    user = context.get("user")
    unread = None
    key: tuple = (get_language(), False)
    if _signed_in(user):
        unread = context.get("unread_notification_count")
        if callable(unread):
            unread = unread()
        key = (
            get_language(),
            True,
            user.public_id,
            user.real_name,
            user.nickname,
            user.display_mode,
            user.avatar,
            unread,
        )
    html = _kept_render(
        HEADER,
        key,
        {
            "user": user,
            "unread_notification_count": unread,
            "slot": {
                name: mark_safe(_slot(name))  # noqa: S308 (an HTML comment of ours)
                for name in ("csrf", "next", "q")
            },
        },
    )
    request = context.get("request")
    filled = {
        "csrf": CsrfTokenNode().render(context),
        "next": conditional_escape(request.get_full_path() if request else ""),
        "q": conditional_escape(context.get("search_query") or ""),
    }
    # Each value is escaped (or a token field of letters and digits), so
    # none can spell a slot filled after it.
    for name, value in filled.items():
        html = html.replace(_slot(name), value)
    return mark_safe(html)  # noqa: S308 (rendered by an autoescaping template)
