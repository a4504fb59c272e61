"""Keep personal calendar feed tokens out of logs.

A feed URL (``/feeds/<token>.ics``) is a bearer secret, and every layer that
logs request paths would write it down: Django's ``django.request`` (4xx and
5xx), ``runserver``'s ``django.server``, daphne's ``runserver`` logger
``django.channels.server``, and the access log that the ``daphne`` command
prints itself (straight to a stream, not through ``logging``). Each gets the
path with the token replaced by ``****``:

- ``FeedTokenFilter``: a logging filter on every handler of ``LOGGING``
  (Django's own default handlers are replaced there, so that the loggers
  above reach only masked ones; tests/events/test_log_masking.py);
- ``MaskedAccessLogGenerator`` and ``serve``: the ``daphne`` command with its
  access log masked (``python -m events.log_masking <daphne arguments>``).

The feed view also logs its own refusals with the path masked, so the
``django.request`` line for a stale or guessed token never carries it even
where this filter is not installed.
"""

import logging
import re

from daphne.access import AccessLogGenerator

# Issued tokens are URL-safe base64 (no dots), so the ".ics" stays readable.
FEED_TOKEN = re.compile(r"(/feeds/)[^/\s?#\"'.]+")
MASK = r"\1****"


def mask_feed_tokens(text: str) -> str:
    return FEED_TOKEN.sub(MASK, text)


class FeedTokenFilter(logging.Filter):
    """Rewrites a record's message with feed tokens masked. The message is
    formatted here, once, so a token passed as an argument is caught too."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler
            return True
        masked = mask_feed_tokens(message)
        if masked != message:
            record.msg = masked
            record.args = ()
        return True


class MaskedAccessLogGenerator(AccessLogGenerator):
    """daphne's NCSA-style access log, with feed tokens masked."""

    def write_entry(self, host, date, request, *args, **kwargs):
        super().write_entry(host, date, mask_feed_tokens(request), *args, **kwargs)


def serve() -> None:
    """Run the ``daphne`` command line with the masked access log."""
    from daphne import cli

    cli.AccessLogGenerator = MaskedAccessLogGenerator
    cli.CommandLineInterface.entrypoint()


if __name__ == "__main__":
    serve()
