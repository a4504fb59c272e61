"""The Korean catalogue is complete, compiled, and actually used.

Korean is the default language and the msgids are English, so an
untranslated or fuzzy entry shows English to every Korean member. The .mo
files are committed (``make run`` needs no gettext), so they must match the
.po they were compiled from. The .po is read with a small parser of its own
rather than a new dependency.
"""

import ast
import gettext
import re
from pathlib import Path
from types import SimpleNamespace

import allauth
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from community.allauth_strings import STRINGS as ALLAUTH_OVERRIDES
from community.models import Member

LOCALE = Path(settings.BASE_DIR) / "locale"
KO_PO = LOCALE / "ko" / "LC_MESSAGES" / "django.po"
KO_MO = LOCALE / "ko" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
ALLAUTH_KO_PO = Path(allauth.__file__).parent / "locale/ko/LC_MESSAGES/django.po"

# %(name)s, %d, %s ... but not the escaped percent sign %%.
PLACEHOLDER = re.compile(r"(?<!%)%(?:\(\w+\))?[sdif]")


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: msgid, msgid_plural, msgstr / msgstr[n],
    flags and references; obsolete (#~) entries are skipped."""
    entries, entry, key = [], None, None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "refs": []}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#:"):
            entry["refs"].extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = ast.literal_eval(value)
    return [e for e in entries if not e.get("obsolete")]


def translations(entry: dict) -> list[str]:
    if "msgid_plural" in entry:
        return [v for k, v in entry.items() if k.startswith("msgstr[")]
    return [entry["msgstr"]]


KO_ENTRIES = [e for e in po_entries(KO_PO) if e["msgid"]]


def entry_id(entry: dict) -> str:
    return entry["msgid"][:40]


def test_ko_catalogue_has_entries_and_a_clean_header():
    header = next(e for e in po_entries(KO_PO) if e["msgid"] == "")
    assert "fuzzy" not in header["flags"]
    assert "Language: ko\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header["msgstr"]
    assert len(KO_ENTRIES) > 100


@pytest.mark.parametrize("entry", KO_ENTRIES, ids=entry_id)
def test_every_ko_msgid_is_translated_and_not_fuzzy(entry):
    assert "fuzzy" not in entry["flags"]
    assert all(s.strip() for s in translations(entry)), entry["msgid"]


@pytest.mark.parametrize("entry", KO_ENTRIES, ids=entry_id)
def test_ko_translation_keeps_every_placeholder(entry):
    expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
    for translated in translations(entry):
        assert sorted(PLACEHOLDER.findall(translated)) == expected, entry["msgid"]


def test_committed_ko_mo_matches_the_po():
    with KO_MO.open("rb") as fp:
        catalogue = gettext.GNUTranslations(fp)
    stale = []
    for entry in KO_ENTRIES:
        if "msgid_plural" in entry:
            got = catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1)
        elif "msgctxt" in entry:
            got = catalogue.pgettext(entry["msgctxt"], entry["msgid"])
        else:
            got = catalogue.gettext(entry["msgid"])
        if got != translations(entry)[0]:
            stale.append(entry["msgid"])
    assert not stale, f"run `make messages`; stale in django.mo: {stale[:5]}"


def test_english_is_a_real_catalogue():
    # English is the source language: empty msgstr, but the catalogue must
    # exist so that "en" is a selectable language with its own .mo.
    assert EN_PO.exists() and EN_MO.exists()
    assert {e["msgid"] for e in po_entries(EN_PO)} == {
        e["msgid"] for e in po_entries(KO_PO)
    }
    with EN_MO.open("rb") as fp:
        gettext.GNUTranslations(fp)


def test_allauth_overrides_are_still_allauth_msgids():
    # A msgid changed upstream would silently undo the override.
    allauth_ids = {e["msgid"] for e in po_entries(ALLAUTH_KO_PO)}
    assert set(ALLAUTH_OVERRIDES) <= allauth_ids
    ours = {e["msgid"] for e in KO_ENTRIES}
    assert set(ALLAUTH_OVERRIDES) <= ours


def test_our_catalogue_wins_over_allauths():
    with translation.override("ko"):
        assert translation.gettext("Remember Me") == "로그인 상태 유지"
        assert translation.gettext("Password Reset") == "비밀번호 재설정"
    with translation.override("en"):
        assert translation.gettext("Remember Me") == "Remember Me"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", ["회원가입", "실명", "이미 계정이 있다면"]),
        ("en", ["Sign Up", "Real name", "Already have an account?"]),
    ],
)
def test_sign_up_page_is_translated(client, language, expected):
    response = client.get("/accounts/signup/", headers={"accept-language": language})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    for text in expected:
        assert text in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ko", ["같은 일을 하는 사람들을 만나보세요", "직무별 커뮤니티", "로그인"]),
        ("en", ["Meet the people who do the same work", "Role communities"]),
    ],
)
def test_home_page_is_translated(client, language, expected):
    response = client.get("/", headers={"accept-language": language})
    html = response.content.decode()
    for text in expected:
        assert text in html


def _mail_context():
    member = Member(email="jimin@example.com", real_name="김지민")
    return {
        "user": member,
        "email": member.email,
        "current_site": SimpleNamespace(name="모임", domain="moim.example"),
        "activate_url": "https://moim.example/accounts/confirm-email/k/",
        "password_reset_url": "https://moim.example/accounts/password/reset/",
        "signup_url": "https://moim.example/accounts/signup/",
    }


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("account/email/email_confirmation_signup_subject.txt", "이메일 주소를"),
        ("account/email/email_confirmation_signup_message.txt", "인증해 주세요"),
        ("account/email/account_already_exists_subject.txt", "이미 가입된"),
        ("account/email/account_already_exists_message.txt", "비밀번호를 재설정"),
        ("account/email/password_reset_key_subject.txt", "비밀번호 재설정"),
        ("account/email/password_reset_key_message.txt", "비밀번호를 재설정"),
        ("account/email/unknown_account_message.txt", "가입된 계정은 없어요"),
    ],
)
def test_allauth_emails_render_in_korean(template, expected):
    with translation.override("ko"):
        text = render_to_string(template, _mail_context())
    assert expected in text
    assert "Hello from" not in text and "Thank you for using" not in text


def test_work_email_mail_renders_in_korean():
    context = {
        "member": Member(email="jimin@example.com", real_name="김지민"),
        "confirm_url": "https://moim.example/me/work-email/confirm/t/",
        "days": 3,
    }
    with translation.override("ko"):
        subject = render_to_string(
            "community/email/work_email_confirm_subject.txt", context
        )
        body = render_to_string(
            "community/email/work_email_confirm_message.txt", context
        )
    assert "회사 이메일" in subject
    assert "김지민님" in body and "3일 뒤에 만료돼요" in body
