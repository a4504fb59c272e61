"""A member's unread marks over a shared thread list (community.fragments).

The rows of a thread list and the community and board bodies around them
are cached once for every reader of the same standing. Each row carries an
empty mark (``<span class="unread-mark" data-thread="…">``) and its title
link says which thread it leads to; a body carries an empty summary
(``<p class="unread-summary">``). For a tracked member
(selectors.unread.reader) those are filled in here, in one pass over the
HTML, from the member's states: a "new" badge, or the number of unread
comments linking to the first of them (the title link leads there too),
and the list's "N new · M unread". Labels are translated and the URL
reversed once per page. Signed-out readers get the body as cached: the
marks show nothing.
"""

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext, pgettext

from community.comment_layer import url_halves
from community.selectors.unread import ListMarks

_MARKS = re.compile(
    r'<span class="unread-mark" data-thread="(\d+)"></span>'
    r'|<a href="([^"<>]*)" data-thread="(\d+)">'
    r'|<p class="unread-summary"></p>'
)
# Where a thread's first unread comment is: thread_detail finds its page
# and the divider before it (comment_layer).
JUMP = "?page=unread#unread"


def apply(
    html: str,
    *,
    community,
    marks: ListMarks,
) -> SafeString:
    """``html`` with the member's marks filled in (unchanged when there is
    nothing to mark)."""
    states, counts = marks.states, marks.counts
    if not states and not (counts and (counts.new or counts.unread)):
        return mark_safe(html)  # noqa: S308 (a cached, autoescaped body)
    head, tail = url_halves("thread_detail", community.slug)
    new_label = escape(pgettext("unread thread", "New"))

    def mark(match: re.Match) -> str:
        if match.group(1) is not None:
            state = states.get(int(match.group(1)))
            if state is None:
                return match.group(0)
            if state.is_new:
                badge = f'<span class="badge badge-new">{new_label}</span>'
            else:
                text = escape(
                    ngettext("%(count)s unread", "%(count)s unread", state.unread)
                    % {"count": state.unread}
                )
                url = f"{head}{match.group(1)}{tail}{JUMP}"
                badge = f'<a class="badge badge-unread" href="{url}">{text}</a>'
            return (
                f'<span class="unread-mark" data-thread="{match.group(1)}">'
                f"{badge}</span>"
            )
        if match.group(3) is not None:
            state = states.get(int(match.group(3)))
            if state is None or state.is_new:
                return match.group(0)
            return f'<a href="{match.group(2)}{JUMP}" data-thread="{match.group(3)}">'
        if not counts or not (counts.new or counts.unread):
            return match.group(0)
        text = escape(
            gettext("%(new)s new · %(unread)s unread")
            % {"new": counts.new, "unread": counts.unread}
        )
        return f'<p class="unread-summary">{text}</p>'

    return mark_safe(_MARKS.sub(mark, html))  # noqa: S308 (escaped above)
