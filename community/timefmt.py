"""Moments as a member reads them in a sentence: on the active time zone's
clock (Asia/Seoul unless a member's own) and in the active language's
format. Messages, notices, calendar texts and refusals all say a time this
one way, so "until 3 May, 14:00" reads the same wherever it appears."""

from datetime import datetime

from django.utils import formats, timezone


def local_format(moment: datetime, kind: str = "DATETIME") -> str:
    """``moment`` in the active time zone, formatted by the active
    language's ``<kind>_FORMAT`` ("DATETIME", "DATE" or "TIME")."""
    return formats.date_format(timezone.localtime(moment), f"{kind}_FORMAT")
