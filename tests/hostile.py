"""Hostile input for the fuzz tests (SECURITY.md, "Bad input"): the values a
careless or malicious client sends, as Hypothesis strategies, and the checks
every refusal must pass (a message in the request's language, never a raw
exception's text).

The number of examples comes from the Hypothesis profile: ``ci`` (the
default) is derandomised, so the suite cannot flake, and small enough for
the whole fuzz suite to stay under a minute; ``hunt`` runs ten times as many
random examples, for a local session that looks for new defects:

    HYPOTHESIS_PROFILE=hunt .venv/bin/python -m pytest tests -k fuzz
"""

import os
import re
import string

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

_COMMON = {
    "deadline": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    "print_blob": True,
}
# CI reports the first failure as found: shrinking a failing request can take
# minutes on a loaded machine.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    report_multiple_bugs=False,
    **_COMMON,
)
settings.register_profile("hunt", derandomize=False, **_COMMON)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
SCALE = 10 if PROFILE == "hunt" else 1


def fuzz_settings(examples: int) -> settings:
    """``examples`` per run in CI, ten times as many when hunting."""
    return settings(settings.get_profile(PROFILE), max_examples=examples * SCALE)


# --- Text ------------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029"
MIXED = (
    "한국어 English العربية עברית 日本語 "
    "e\u0301\u0301\u0301 각\u302e\u302f "  # combining marks
    "\u202eRTL override\u202c \u200b\u200d\ufeff "
    "👩‍👩‍👧‍👦 🇰🇷 😀"
)
INJECTIONS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[링크](javascript:alert(1)) ![x](data:text/html,<script>)",
    "**굵게** _기울임_ `코드` <b>b</b> &amp; &lt;",
    "{{ request.user }} {% debug %} ${7*7} %(name)s {0}",
    "'; DROP TABLE community_member; --",
    "../../etc/passwd",
    "@everyone @관리자 #1",
]
SAMPLES = [
    "",
    " ",
    "\x00",
    "가\x00나",
    "\t\r\n \u3000",
    CONTROL,
    MIXED,
    "가" * 20_001,
    "a" * 100_001,
    "\ud7a3" * 300,
    *INJECTIONS,
]
# Surrogates cannot travel in an HTTP form body (it is UTF-8).
_chars = st.characters(exclude_categories=["Cs"])
text = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(_chars, max_size=60),
    st.text(st.sampled_from(CONTROL + "가a<>&\"'"), max_size=30),
    st.builds(
        lambda s, n: s * n,
        st.sampled_from(["가", "a", "😀", "\x00"]),
        st.integers(0, 3000),
    ),
)

# --- Numbers, dates and ids --------------------------------------------------------

number_strings = st.one_of(
    st.integers(-(2**80), 2**80).map(str),
    st.sampled_from(
        [
            "0",
            "-1",
            "1.5",
            "1e309",
            "NaN",
            "inf",
            "0x10",
            "١٢",  # Arabic-Indic digits
            "²",  # str.isdigit() says yes, int() says no
            "9" * 5000,
            str(2**63),
            str(-(2**63) - 1),
            " 7 ",
        ]
    ),
)
date_strings = st.one_of(
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%d %H:%M")),
    st.sampled_from(
        [
            "0001-01-01T00:00",
            "0001-01-01 08:59",
            "9999-12-31T23:59",
            "9999-12-31 23:59",
            "2026-02-30T10:00",
            "2026-13-01T10:00",
            "1970-01-01T00:00",
            "2038-01-19T03:14",
            "yesterday",
        ]
    ),
)


def value(*extra) -> st.SearchStrategy:
    """Any hostile value for a field, or one of ``extra`` (valid values)."""
    options = [text, number_strings, date_strings]
    if extra:
        options.insert(0, st.sampled_from(extra))
    return st.one_of(options)


# --- Checking a refusal's words ---------------------------------------------------

HANGUL = re.compile("[\uac00-\ud7a3]")
RAW_EXCEPTION = re.compile(
    r"Traceback|Exception|Error\b|invalid literal|has no attribute|"
    r"NoneType|psycopg|sqlite|IntegrityError|DataError|ValueError|KeyError|"
    r"TypeError|OverflowError|NUL|\bNone\b",
)


def message_problem(message: str, language: str, echoed=()) -> str | None:
    """Why ``message`` is not a clear message in ``language``, or None.
    ``echoed`` are the values the request sent, which a message may quote
    (they are left out of the check)."""
    rest = str(message)
    for sent in sorted((str(e) for e in echoed if e), key=len, reverse=True):
        rest = rest.replace(sent, "")
    if not rest.strip(string.whitespace + string.punctuation):
        return f"empty message {message!r}"
    if RAW_EXCEPTION.search(rest):
        return f"raw exception text {message!r}"
    if language == "ko" and not HANGUL.search(rest):
        return f"not in Korean: {message!r}"
    if language == "en" and HANGUL.search(rest):
        return f"not in English: {message!r}"
    return None
