"""Sign-in with Kakao, Naver and Google through allauth's own providers.

Each provider here is allauth's, subclassed only so that its endpoints come
from settings (``SOCIALACCOUNT_PROVIDERS[<id>]``, read on every use), which
lets the tests point them at an OAuth 2.0 / OpenID Connect server of their
own on 127.0.0.1. allauth's adapters name their URLs as class attributes and
its callback views are bound to those classes, so each provider has its own
``views`` (the adapter and the two views) and ``urls`` modules, as allauth's
provider packages do; ``settings.SOCIALACCOUNT_PROVIDERS[<id>]
["provider_class"]`` puts them in place of allauth's.
"""
