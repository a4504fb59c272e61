"""Markdown for threads and comments, rendered once at write time and stored
as sanitised HTML.

markdown-it-py escapes raw HTML in the source; nh3 then keeps only a small
allow-list of tags and attributes, drops every URL scheme but http(s) and
mailto, and marks links ``rel="nofollow ugc noopener"``. Images are not
allowed: an <img> pointing at another site would load from outside the site
the moment a page is opened.
"""

import html
import re

import nh3
from markdown_it import MarkdownIt

from community.cjk_emphasis import cjk_emphasis

# Emphasis follows the CJK-friendly rule (community.cjk_emphasis): Korean
# particles attach to the closing "**" without a space.
_markdown = (
    MarkdownIt("commonmark", {"html": False, "breaks": True})
    .enable(["table", "strikethrough"])
    .use(cjk_emphasis)
)

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}}
# A heading in a post should not outrank the page's own h1/h2.
_HEADING = re.compile(r"<(/?)h[12]>")


def markdown_render(text: str, *, links: dict[str, str] | None = None) -> str:
    """Sanitised HTML for ``text``. ``links`` maps a literal ``@mention`` to
    the URL it should link to (resolved by the caller)."""
    if links:
        pattern = re.compile(
            "|".join(re.escape(m) for m in sorted(links, key=len)[::-1])
        )
        text = pattern.sub(lambda match: f"[{match[0]}]({links[match[0]]})", text)
    html = _HEADING.sub(r"<\1h3>", _markdown.render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
    )


# A mention as markdown_render links it: the link's text is the "@token".
_MENTION_LINK = re.compile(r'<a href="(/[^"]*members/[^"]+)"[^>]*>(@[^<]+)</a>')


def markdown_rerender(text: str, *, stored_html: str) -> str:
    """``text`` rendered again by today's renderer, its mentions linked to
    the pages ``stored_html`` (its earlier rendering) linked them to: a
    change of the Markdown rules changes nothing about who was mentioned,
    even after a member has left or renamed."""
    links = {
        html.unescape(mention): html.unescape(url)
        for url, mention in _MENTION_LINK.findall(stored_html)
    }
    return markdown_render(text, links=links)


# Where one block or line of the rendered HTML ends and the next begins: a
# space there keeps "<p>one</p><p>two</p>" from reading "onetwo".
_BREAK = re.compile(r"<br\s*/?>|</(?:p|li|h[3-6]|blockquote|pre|tr|th|td)>")
_SPACES = re.compile(r"\s+")


def markdown_plain_text(body_html: str) -> str:
    """The text of stored, sanitised HTML without its markup, for excerpts:
    tags dropped, entities decoded ("&lt;" reads "<" again), whitespace
    collapsed. The result is plain text, to be escaped like any other."""
    text = nh3.clean(_BREAK.sub(" ", body_html), tags=set())
    return _SPACES.sub(" ", html.unescape(text)).strip()


MENTION = re.compile(r"(?<![\w@])@([^\W_][\w.\-]{1,30})")


def mention_candidates(text: str, *, limit: int = 10) -> list[str]:
    """Tokens written as ``@token``; Korean particles may follow a nickname
    without a space ("@광고요정님"), so callers match the longest known
    nickname that each token starts with."""
    seen: list[str] = []
    for token in MENTION.findall(text):
        if token not in seen:
            seen.append(token)
        if len(seen) >= limit:
            break
    return seen
