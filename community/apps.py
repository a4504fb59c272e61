from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from allauth.account.signals import email_confirmed
        from django.contrib.auth.signals import user_logged_out

        from community import checks  # noqa: F401  (registers the checks)
        from community.adapters import on_logged_out
        from community.social.links import on_email_confirmed

        # allauth's hook for "an address was proven", whichever way it was.
        email_confirmed.connect(on_email_confirmed, dispatch_uid="moim-social")
        # A session that ends takes the push subscriptions it made with it.
        user_logged_out.connect(on_logged_out, dispatch_uid="moim-push-sessions")
