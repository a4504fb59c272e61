from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = _("Community")

    def ready(self):
        from allauth.account.signals import email_confirmed

        from community import checks  # noqa: F401  (registers the checks)
        from community.social.links import on_email_confirmed

        # allauth's hook for "an address was proven", whichever way it was.
        email_confirmed.connect(on_email_confirmed, dispatch_uid="moim-social")
