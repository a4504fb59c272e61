"""Provider endpoints read from settings when used, not when imported."""

from django.conf import settings


def provider_settings(provider_id: str) -> dict:
    return getattr(settings, "SOCIALACCOUNT_PROVIDERS", {}).get(provider_id, {})


def endpoint(key: str, default: str) -> property:
    """An adapter's URL attribute: ``SOCIALACCOUNT_PROVIDERS[<id>][key]``
    when set, else the provider's real address (``default``). A property,
    so a test's ``override_settings`` takes effect at once."""

    def get(adapter) -> str:
        return provider_settings(adapter.provider_id).get(key) or default

    return property(get)
