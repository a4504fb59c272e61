"""Sentences stored as facts and said in the reader's language when read.

A notification keeps the English source text of its sentence (the msgid,
the catalogue's stable key) and the parameters that fill it; a page or an
email renders it with the reader's active language and time zone. A
parameter is a string or number as given (a title a member wrote stays as
written), a moment (said by community/timefmt.py at read time) or another
fact (a sentence inside a sentence, e.g. "… Reason: …") or a refusal
(``error_fact``: its app and code, short where the sentence is long)."""

from datetime import datetime
from importlib import import_module
from typing import Any

from django.apps import apps
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

from community import timefmt

MOMENT = "moment"
ERROR = "error"


def source_text(text: str | Promise) -> str:
    """The msgid of a (lazily) translated text."""
    with translation.override(None):
        return str(text)


def fact(message: str | Promise, **params: Any) -> dict[str, Any]:
    """A sentence as facts: ``message`` a translatable text with
    %-parameters, ``params`` its values."""
    return {"message": source_text(message), "params": stored(params)}


def error_fact(error: Exception) -> dict[str, Any]:
    """A refusal (a ``community.errors.KeyedError``) as facts: its app and
    code (``"events:message_video_link"``) and parameters, said as the
    app's keyed text when read. Stored by code, not by its text, so an
    entry with a short limit holds it whole."""
    app = type(error).__module__.split(".")[0]
    return {ERROR: f"{app}:{error.code}", "params": stored(error.params)}


def _error_text(reference: str) -> str | None:
    """The keyed text (a msgid) a stored refusal names, or None."""
    app, _, code = reference.partition(":")
    if not apps.is_installed(app):
        return None
    try:
        texts = import_module(f"{app}.errors").MESSAGES
    except (ImportError, AttributeError):
        return None
    return source_text(texts[code]) if code in texts else None


def stored(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as JSON keeps them: moments tagged, lazy texts by their
    msgid (so they are translated when read), the rest as given."""
    kept: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            kept[name] = {MOMENT: value.isoformat()}
        elif isinstance(value, Promise):
            kept[name] = {"message": source_text(value), "params": {}}
        else:
            kept[name] = value
    return kept


def said(message: str, params: dict[str, Any]) -> str:
    """The sentence in the active language (and time zone). A catalogue
    entry whose placeholders do not fit falls back to the source text; a
    source text whose stored parameters do not fit it either is shown as
    written, placeholders and all, rather than failing the page."""
    values = {name: _value(value) for name, value in params.items()}
    for text in (gettext(message), message):
        try:
            return text % values
        except (KeyError, ValueError, TypeError):
            continue
    return message


def _value(value: Any) -> Any:
    if isinstance(value, dict) and MOMENT in value:
        return timefmt.moment(datetime.fromisoformat(value[MOMENT]))
    if isinstance(value, dict) and "message" in value:
        return said(value["message"], value.get("params", {}))
    if isinstance(value, dict) and ERROR in value:
        text = _error_text(str(value[ERROR]))
        return value[ERROR] if text is None else said(text, value.get("params", {}))
    return value
