"""Outgoing email: rendered in the recipient's language inside the request or
service that decides to send, then handed to the task queue, so a slow or
unavailable mail server never holds up a page and a queued mail survives a
restart."""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

import css_inline
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
        headers=dict(message.extra_headers),
    )


def html_inline(html: str) -> str:
    """Move a mail's <style> rules into style attributes, the only CSS that
    every mail client applies. Nothing is fetched: remote stylesheets are
    never loaded (a mail's HTML has none; this makes sure of it)."""
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False)
    return inliner.inline(html)


def mail_member(
    *,
    to: str,
    language: str,
    template: str,
    context: dict,
    unsubscribe: dict[str, str] | None = None,
    html: bool = False,
) -> None:
    """Render ``<template>_subject.txt`` and ``<template>_message.txt`` in
    ``language`` and queue the mail to ``to``. ``unsubscribe``: the headers
    of a mail that is not transactional (community.preferences
    .unsubscribe_headers), whose link the body shows as ``unsubscribe_url``.
    ``html``: also ``<template>_message.html``, its CSS inlined."""
    context = {"site_url": settings.SITE_URL, **context}
    headers = dict(unsubscribe or {})
    if headers:
        context["unsubscribe_url"] = headers["List-Unsubscribe"].strip("<>")
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
        rich = (
            html_inline(render_to_string(f"{template}_message.html", context))
            if html
            else ""
        )
    message = EmailMultiAlternatives(
        subject=" ".join(subject.splitlines()), body=body, to=[to], headers=headers
    )
    if rich:
        message.attach_alternative(rich, "text/html")
    mail_enqueue(message)
