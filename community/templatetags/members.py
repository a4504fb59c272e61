from django import template

from community.display import display_name as _display_name

register = template.Library()


@register.filter
def display_name(member, context=None):
    """``{{ member|display_name }}`` or ``{{ member|display_name:community }}``."""
    return _display_name(member, context)
