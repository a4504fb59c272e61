from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Gatherings")

    def ready(self):
        from django.db.backends.signals import connection_created

        from events import checks  # noqa: F401  (registers the checks)
        from events.guards import guard_register

        connection_created.connect(guard_register, dispatch_uid="moim_guard")
