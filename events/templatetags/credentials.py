from django import template

register = template.Library()


@register.filter
def issuable(item, keys) -> bool:
    """Whether the path ``item`` is among ``keys``, the (kind, object id)
    pairs its owner may issue a credential for
    (events.selectors.credentials.credentials_issuable)."""
    return (item.kind, item.object_id) in keys
