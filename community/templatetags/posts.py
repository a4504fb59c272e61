from django import template

from community.markdown import markdown_plain_text

register = template.Library()


@register.filter
def plain_text(body_html: str) -> str:
    """``{{ comment.body_html|plain_text|truncatechars:140 }}``: a post's
    stored HTML as plain text for an excerpt (autoescaped like any text)."""
    return markdown_plain_text(body_html or "")
