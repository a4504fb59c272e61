from django import template

from community import usersessions
from community.display import display_name as _display_name

register = template.Library()


@register.filter
def display_name(member, context=None):
    """``{{ member|display_name }}`` or ``{{ member|display_name:community }}``."""
    return _display_name(member, context)


@register.filter
def device_label(user_agent: str) -> str:
    """A signed-in device as the devices page names it ("Chrome · Windows")."""
    return usersessions.device_label(user_agent or "")
