"""The console mail of the embedded default (no ``EMAIL_URL``): each mail
printed as a person reads it, not as the wire carries it.

Django's console backend prints the MIME message, whose Korean subject is
encoded and whose body is base64, so a newcomer trying ``make run`` could
not read the verification mail nor copy its link. This one prints the
decoded subject, the sender and recipients, the text body, and every link
of the body once more on a line of its own, between the same 79-dash lines
as Django's.
"""

import re

from django.core.mail.backends.console import EmailBackend

LINK = re.compile(r"https?://[^\s<>\"')\]]+")
SEPARATOR = "-" * 79


def mail_as_text(message) -> str:
    """The mail as plain text: headers, body, links."""
    lines = [f"Subject: {message.subject}", f"From: {message.from_email}"]
    for header, addresses in (
        ("To", message.to),
        ("Cc", message.cc),
        ("Bcc", message.bcc),
        ("Reply-To", message.reply_to),
    ):
        if addresses:
            lines.append(f"{header}: {', '.join(addresses)}")
    lines += ["", str(message.body).rstrip()]
    # A sentence's full stop or comma after a link is not part of it.
    links = [link.rstrip(".,;:!?") for link in LINK.findall(str(message.body))]
    links = list(dict.fromkeys(links))
    if links:
        lines += ["", "Links:", *links]
    return "\n".join(lines)


class ConsoleBackend(EmailBackend):
    """Django's console backend, writing ``mail_as_text`` of each mail."""

    def write_message(self, message):
        self.stream.write(f"{mail_as_text(message)}\n{SEPARATOR}\n")
