"""One push to one device (community.tasks.push_deliver runs it): encrypted
for the device, signed with the site's VAPID key, handed to its push
service; a subscription the service forgot is deleted, a failure it may get
over is queued again for later."""

import logging
from datetime import timedelta

import requests
from django.tasks import default_task_backend
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from community import push
from community.models import PushSubscription

logger = logging.getLogger(__name__)


class _NoRedirects(requests.Session):
    """A push service answers a push itself: a redirect is an answer like any
    other refusal, never followed (it could point the worker anywhere)."""

    def request(self, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def deliver(
    *,
    subscription_id: int,
    member_id: int,
    data: str,
    urgency: str,
    ttl: int,
    topic: str,
    attempt: int = 1,
) -> str:
    """Encrypt ``data`` for one device and hand it to its push service.
    Returns what happened: "sent"; "gone" (404 or 410: the subscription is
    deleted); "retry" (429, 5xx or no answer: queued again later, once,
    with the same Topic so a push service that got it after all keeps one);
    "failed" (the last attempt, or a refusal that trying again cannot
    mend); "missing" (the device was removed meanwhile, or now belongs to
    another member than ``member_id``, whom the push was for)."""
    subscription = PushSubscription.objects.filter(
        pk=subscription_id, member_id=member_id
    ).first()
    if subscription is None:
        return "missing"
    if not push.endpoint_allowed(subscription.endpoint):
        # Stored before the rules were what they are, or the setting that
        # allowed it is gone: never posted to.
        logger.warning("push to subscription %s: endpoint refused", subscription_id)
        return "failed"
    key = push.vapid_key()
    try:
        with _NoRedirects() as session:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=data,
                vapid_private_key=Vapid.from_raw(key.private.encode()),
                vapid_claims={"sub": push.vapid_contact()},
                ttl=ttl,
                headers={"Urgency": urgency, "Topic": topic},
                timeout=push.TIMEOUT,
                requests_session=session,
            )
    except WebPushException as error:
        status = error.response.status_code if error.response is not None else None
        if status in (404, 410):
            PushSubscription.objects.filter(
                pk=subscription_id, member_id=member_id
            ).delete()
            return "gone"
        if status is not None and status != 429 and status < 500:
            logger.warning(
                "push to subscription %s refused: %s", subscription_id, status
            )
            return "failed"
        return _retry(subscription_id, attempt)
    except requests.RequestException:
        return _retry(subscription_id, attempt)
    PushSubscription.objects.filter(pk=subscription_id).update(last_used=timezone.now())
    return "sent"


def _retry(subscription_id: int, attempt: int) -> str:
    """ "retry" while attempts are left and the queue can wait (the task
    queues the next attempt), else "failed"."""
    if attempt >= push.ATTEMPTS or not default_task_backend.supports_defer:
        logger.warning(
            "push to subscription %s failed %d times", subscription_id, attempt
        )
        return "failed"
    return "retry"


def retry_at(attempt: int):
    """When the attempt after ``attempt`` runs."""
    return timezone.now() + timedelta(seconds=push.RETRY_BASE * 4 ** (attempt - 1))
