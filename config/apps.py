from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin app, served by Moim's admin site (config/admin.py)."""

    default_site = "config.admin.MoimAdminSite"
