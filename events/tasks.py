"""Background jobs of the events app. Each task sits beside the service it
wraps (``events.services.lifecycle.gathering_advance_task``,
``events.services.draw.draw_notices_task``); they are named here too, so
that a job queued under this module's name before they moved still runs."""

from events.services.announcements import (
    announcement_batch_send_task,
    announcements_sweep_task,
)
from events.services.draw import draw_notices_task
from events.services.followups import followups_task
from events.services.lifecycle import gathering_advance_task
from events.services.series import series_extend_task

__all__ = [
    "announcement_batch_send_task",
    "announcements_sweep_task",
    "draw_notices_task",
    "followups_task",
    "gathering_advance_task",
    "series_extend_task",
]
