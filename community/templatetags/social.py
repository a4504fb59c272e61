from allauth.socialaccount.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def social_providers(context) -> list:
    """The switched-on providers in Moim's order (Kakao first); allauth's
    ``get_providers`` sorts them by their translated names."""
    return get_adapter().list_providers(context["request"])
