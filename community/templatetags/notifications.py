"""A notification's sentence in the reader's language (community/facts.py)."""

from django import template

from community.facts import said

register = template.Library()


@register.filter
def notification_text(notification) -> str:
    """The stored facts said now; a row from before facts whose text could
    not be read back keeps its text."""
    if notification.message:
        return said(notification.message, notification.params)
    return notification.detail
