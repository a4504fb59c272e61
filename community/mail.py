"""Outgoing email: rendered in the recipient's language inside the request or
service that decides to send, then handed to the task queue, so a slow or
unavailable mail server never holds up a page and a queued mail survives a
restart."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from community.tasks import email_send

_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


@contextlib.contextmanager
def mail_suppressed() -> Iterator[None]:
    """Queue no mail inside the block: for made-up history (the demo data),
    whose notifications are about things that never happened, to addresses
    nobody reads."""
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def deliverable(address: str) -> bool:
    """Not an address under RFC 2606's ``.invalid``, which can receive no
    mail: a member who left has one (community.services.leaving)."""
    return not address.rstrip(">").lower().endswith(".invalid")


def mail_enqueue(message: EmailMessage) -> None:
    if _suppressed.get():
        return
    message.to = [address for address in message.to if deliverable(address)]
    if not message.to:
        return
    html = ""
    if isinstance(message, EmailMultiAlternatives):
        html = next(
            (content for content, mime in message.alternatives if mime == "text/html"),
            "",
        )
    email_send.enqueue(
        to=list(message.to),
        subject=str(message.subject),
        body=str(message.body),
        html=html,
        from_email=message.from_email or "",
    )


def mail_member(*, to: str, language: str, template: str, context: dict) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_message.txt`` in
    ``language`` and queue the mail to ``to``."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    mail_enqueue(
        EmailMessage(subject=" ".join(subject.splitlines()), body=body, to=[to])
    )
