"""Background jobs of the events app: thin wrappers around services, each
idempotent and safe to run late or twice."""

from django.tasks import task


@task()
def gathering_advance_task(*, gathering_id: int) -> None:
    from events.services.lifecycle import gathering_advance

    gathering_advance(gathering_id=gathering_id)


@task()
def draw_notices_task(*, gathering_id: int) -> None:
    from events.services.draw import draw_notices_send

    draw_notices_send(gathering_id=gathering_id)
