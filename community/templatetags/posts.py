from django import template
from django.urls import reverse

from community.comment_layer import from_thread
from community.markdown import markdown_plain_text

register = template.Library()


@register.filter
def plain_text(body_html: str) -> str:
    """``{{ comment.body_html|plain_text|truncatechars:140 }}``: a post's
    stored HTML as plain text for an excerpt (autoescaped like any text)."""
    return markdown_plain_text(body_html or "")


@register.simple_tag
def comment_react_url(community, comment, kind: str) -> str:
    """``{% comment_react_url community comment "empathy" %}``: the URL a
    comment's reaction button posts to, relative to its thread's page, as
    community.comment_layer writes it (``from_thread``)."""
    url = reverse("comment_react", args=[community.slug, comment.pk, kind])
    return from_thread(url, community.slug, comment.thread_id)
