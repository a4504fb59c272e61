"""Consent (issue #18, PIPA): what a member agreed to is stored per purpose
with its version and time; a required box left unticked refuses the sign-up
and creates nothing; a new version of a required document is agreed to again
before anything else; email news can be withdrawn, and lapses unless
confirmed every two years; the documents name the operator, in Korean and
English."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from community import legal
from community.models import (
    Consent,
    ConsentEnd,
    ConsentPurpose,
    ConsentSource,
    Member,
)
from community.services.consents import (
    consent_marketing_give,
    consent_marketing_reconfirm,
    consents_marketing_review,
    consents_review_plan,
)
from tests.factories import CONSENTS, PASSWORD, member_create

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "plum-lantern-orbit-42"
OPERATOR = {
    "name": "주식회사 모임테스트",
    "representative": "김대표",
    "address": "서울특별시 종로구 세종대로 175",
    "business_number": "220-81-12345",
    "privacy_officer": "박보호",
    "privacy_email": "privacy@moim-test.kr",
}


def signup(client, email="newcomer@example.org", language="ko", **boxes):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "real_name": "김지민",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            **boxes,
        },
        headers={"accept-language": language},
    )


def standing(member, purpose):
    return Consent.objects.filter(
        member=member, purpose=purpose, withdrawn_at__isnull=True
    )


# --- At sign-up --------------------------------------------------------------


def test_signing_up_records_each_consent_with_its_version_and_time(client):
    before = timezone.now()
    response = signup(client, **CONSENTS, agree_marketing="on")

    assert response.status_code == 302
    member = Member.objects.get(email="newcomer@example.org")
    rows = {c.purpose: c for c in Consent.objects.filter(member=member)}
    terms = legal.version_current(legal.TERMS).version
    privacy = legal.version_current(legal.PRIVACY).version
    assert {p: (c.version, c.how) for p, c in rows.items()} == {
        ConsentPurpose.TERMS: (terms, ConsentSource.SIGNUP),
        ConsentPurpose.PRIVACY: (privacy, ConsentSource.SIGNUP),
        ConsentPurpose.AGE: (terms, ConsentSource.SIGNUP),
        ConsentPurpose.MARKETING: (privacy, ConsentSource.SIGNUP),
    }
    assert all(before <= c.given_at <= timezone.now() for c in rows.values())
    assert all(c.withdrawn_at is None for c in rows.values())
    assert member.legal_agreed == legal.required_key()


def test_email_news_is_not_recorded_when_left_unticked(client):
    signup(client, **CONSENTS)

    member = Member.objects.get(email="newcomer@example.org")
    assert not standing(member, ConsentPurpose.MARKETING).exists()
    assert standing(member, ConsentPurpose.TERMS).exists()


@pytest.mark.parametrize(
    ("missing", "language", "error"),
    [
        ("agree_terms", "ko", "가입하려면 이용약관에 동의해 주세요."),
        ("agree_privacy", "ko", "가입하려면 개인정보 수집·이용에 동의해 주세요."),
        ("agree_age", "ko", "모임은 만 14세 이상만 가입할 수 있어요."),
        ("agree_terms", "en", "To sign up, please agree to the terms of service."),
        ("agree_age", "en", "Moim is open to people aged 14 or older."),
    ],
)
def test_a_required_box_left_unticked_refuses_the_sign_up_and_creates_nothing(
    client, missing, language, error
):
    boxes = {name: value for name, value in CONSENTS.items() if name != missing}
    response = signup(client, language=language, agree_marketing="on", **boxes)

    assert response.status_code == 200
    assert error in response.text
    assert not Member.objects.filter(email="newcomer@example.org").exists()
    assert not Consent.objects.exists()
    assert mail.outbox == []


def test_the_sign_up_form_links_both_documents_next_to_its_boxes(client):
    html = client.get(reverse("account_signup")).text

    assert 'name="agree_terms"' in html
    assert 'name="agree_marketing"' in html
    assert reverse("legal_terms") in html
    assert reverse("legal_privacy") in html
    assert "수집 항목" in html


def test_a_known_email_signs_up_nobody_and_records_no_consent(client):
    member_create(email="known@example.org")
    before = Consent.objects.count()

    signup(client, email="known@example.org", **CONSENTS, agree_marketing="on")

    assert Consent.objects.count() == before


# --- A new version of a required document ------------------------------------

NEW = "2099-01-01"


@pytest.fixture
def new_terms(settings, tmp_path, monkeypatch):
    """Publishes, when called, a second version of the terms, in force since
    yesterday, with templates of its own (members created before agreed to
    the first one only)."""
    folder = tmp_path / "community" / "legal" / "terms"
    folder.mkdir(parents=True)
    (folder / f"{NEW}.ko.html").write_text("<p>새 약관 본문</p>")
    (folder / f"{NEW}.en.html").write_text("<p>New terms text</p>")
    engine = {**settings.TEMPLATES[0]}
    engine["DIRS"] = [tmp_path, *engine["DIRS"]]
    settings.TEMPLATES = [engine]
    yesterday = legal.today() - timedelta(days=1)
    version = legal.Version(legal.TERMS, NEW, yesterday)

    def publish():
        monkeypatch.setitem(
            legal.VERSIONS, legal.TERMS, (*legal.VERSIONS[legal.TERMS], version)
        )
        return version

    return publish


def test_a_new_version_sends_a_signed_in_member_to_agree_before_anything_else(
    client, new_terms
):
    member = member_create()
    new_terms()
    client.force_login(member)

    response = client.get(reverse("bookmark_list") + "?page=2")

    assert response.status_code == 303
    assert response["Location"] == (
        reverse("consent_renew") + "?next=%2Fme%2Fbookmarks%2F%3Fpage%3D2"
    )
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert reverse("legal_terms_version", args=[NEW]) in page.text


def test_a_new_version_is_asked_for_at_the_next_sign_in(client, new_terms):
    member = member_create()
    new_terms()

    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0].startswith(reverse("consent_renew"))
    assert "동의가 필요한 새 버전" in response.text


def test_the_documents_sign_out_and_the_language_stay_open_meanwhile(client, new_terms):
    client.force_login(member_create())
    new_terms()

    assert client.get(reverse("legal_terms")).status_code == 200
    assert "새 약관 본문" in client.get(reverse("legal_terms")).text
    assert client.get(reverse("legal_privacy")).status_code == 200
    assert (
        client.post(reverse("language_set"), {"language": "en", "next": "/"})[
            "Location"
        ]
        == "/"
    )
    assert client.post(reverse("account_logout")).status_code == 302


def test_leaving_and_taking_ones_data_stay_open_meanwhile(client, new_terms):
    """A member who will not agree to a new version can still leave and
    take their data with them (security review: both were sent to agree)."""
    client.force_login(member_create())
    new_terms()

    assert client.get(reverse("member_leave")).status_code == 200
    assert client.get(reverse("data_export")).status_code == 200


def test_an_htmx_request_is_told_to_load_the_consent_page(client, new_terms):
    client.force_login(member_create())
    new_terms()

    response = client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("consent_renew"))


def test_agreeing_records_the_new_version_and_returns_where_the_member_was(
    client, new_terms
):
    member = member_create()
    new_terms()
    client.force_login(member)

    refused = client.post(reverse("consent_renew"), {"next": "/me/bookmarks/"})
    assert refused.status_code == 400
    assert "모임을 계속 이용하려면 새 버전에 동의해 주세요." in refused.text
    assert not standing(member, ConsentPurpose.TERMS).filter(version=NEW).exists()

    response = client.post(
        reverse("consent_renew"), {"agree": "on", "next": "/me/bookmarks/"}
    )

    assert response["Location"] == "/me/bookmarks/"
    terms = standing(member, ConsentPurpose.TERMS).order_by("given_at", "pk")
    assert [(c.version, c.how) for c in terms] == [
        ("2026-12-05", ConsentSource.SIGNUP),
        (NEW, ConsentSource.RECONSENT),
    ]
    # The privacy policy did not change: nothing new is recorded for it.
    assert standing(member, ConsentPurpose.PRIVACY).count() == 1
    assert client.get("/").status_code == 200
    # A second post (a double click) adds nothing.
    client.post(reverse("consent_renew"), {"agree": "on"})
    assert standing(member, ConsentPurpose.TERMS).count() == 2


def test_an_account_that_never_agreed_is_asked_for_the_documents_and_the_age(
    client,
):
    member = Member.objects.create_superuser("root@example.org", PASSWORD)
    client.force_login(member)

    assert client.get("/")["Location"].startswith(reverse("consent_renew"))
    refused = client.post(reverse("consent_renew"), {"agree": "on"})
    assert refused.status_code == 400
    assert "모임은 만 14세 이상만 가입할 수 있어요." in refused.text

    client.post(reverse("consent_renew"), {"agree": "on", "agree_age": "on"})

    assert sorted(standing(member, p).count() for p in ConsentPurpose.values) == [
        0,
        1,
        1,
        1,
    ]
    assert client.get("/").status_code == 200


def test_a_next_address_elsewhere_is_not_followed(client, new_terms):
    client.force_login(member_create())
    new_terms()

    response = client.post(
        reverse("consent_renew"), {"agree": "on", "next": "//evil.example/"}
    )

    assert response["Location"] == "/"


def test_a_version_published_ahead_asks_nothing_until_its_day(client, monkeypatch):
    ahead = legal.Version(legal.TERMS, NEW, legal.today() + timedelta(days=7))
    monkeypatch.setitem(
        legal.VERSIONS, legal.TERMS, (*legal.VERSIONS[legal.TERMS], ahead)
    )
    client.force_login(member_create())

    home = client.get("/")
    terms = client.get(reverse("legal_terms"))

    assert home.status_code == 200
    assert reverse("legal_terms_version", args=[NEW]) in terms.text


# --- Email news: withdrawal, and two years -----------------------------------


def test_a_member_withdraws_email_news_from_their_consents_page(client):
    member = member_create()
    consent_marketing_give(member=member)
    client.force_login(member)

    response = client.post(reverse("consent_settings"), {"action": "withdraw"})

    assert response.status_code == 302
    row = Consent.objects.get(member=member, purpose=ConsentPurpose.MARKETING)
    assert row.withdrawn_at is not None
    assert row.ended_by == ConsentEnd.WITHDRAWN
    page = client.get(reverse("consent_settings")).text
    assert "모임의 이메일 소식을 받지 않고 있어요." in page
    assert "회원이 철회함" in page


def test_email_news_can_be_given_again_as_a_new_consent(client):
    member = member_create()
    client.force_login(member)

    client.post(reverse("consent_settings"), {"action": "give"})
    client.post(reverse("consent_settings"), {"action": "withdraw"})
    client.post(reverse("consent_settings"), {"action": "give"})

    rows = Consent.objects.filter(member=member, purpose=ConsentPurpose.MARKETING)
    assert [(r.how, r.ended_by) for r in rows] == [
        (ConsentSource.SETTINGS, ConsentEnd.WITHDRAWN),
        (ConsentSource.SETTINGS, ""),
    ]


def test_the_required_consents_cannot_be_withdrawn_there(client):
    member = member_create()
    client.force_login(member)

    response = client.post(reverse("consent_settings"), {"action": "terms"})

    assert response.status_code == 400
    assert standing(member, ConsentPurpose.TERMS).exists()


def test_the_consents_page_lists_what_which_version_and_when(client):
    member = member_create()
    client.force_login(member)

    page = client.get(reverse("consent_settings")).text

    assert "이용약관" in page
    assert "개인정보 수집·이용" in page
    assert "만 14세 이상 확인" in page
    assert legal.version_current(legal.TERMS).version in page
    assert reverse("consent_settings") in client.get(reverse("profile_edit")).text


def _given(member, days_ago):
    consent = consent_marketing_give(member=member)
    consent.given_at = timezone.now() - timedelta(days=days_ago)
    consent.save(update_fields=["given_at"])
    return consent


def test_a_member_is_asked_once_a_month_before_two_years(settings):
    member = member_create(language="en")
    young = member_create()
    _given(member, days_ago=700)
    _given(young, days_ago=600)

    assert consents_marketing_review() == (1, 0)
    assert consents_marketing_review() == (0, 0)

    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "still want" in message.subject
    assert settings.SITE_URL + reverse("consent_settings") in message.body


def test_the_reminder_is_in_korean_for_a_korean_member():
    _given(member_create(), days_ago=710)

    consents_marketing_review()

    assert "이메일 소식" in mail.outbox[0].subject


def test_email_news_not_confirmed_in_two_years_lapses():
    member = member_create()
    _given(member, days_ago=731)

    assert consents_marketing_review() == (0, 1)

    row = Consent.objects.get(member=member, purpose=ConsentPurpose.MARKETING)
    assert row.ended_by == ConsentEnd.LAPSED
    assert row.withdrawn_at is not None
    assert consents_marketing_review() == (0, 0)


def test_a_confirmation_starts_two_years_again(client):
    member = member_create()
    old = _given(member, days_ago=715)
    consents_marketing_review()
    client.force_login(member)

    client.post(reverse("consent_settings"), {"action": "reconfirm"})

    old.refresh_from_db()
    assert old.ended_by == ConsentEnd.RENEWED
    (new,) = standing(member, ConsentPurpose.MARKETING)
    assert new.how == ConsentSource.RECONFIRM
    later = timezone.now() + timedelta(days=20)
    assert consents_marketing_review(now=later) == (0, 0)
    assert standing(member, ConsentPurpose.MARKETING).exists()


def test_a_reconfirmation_without_a_standing_consent_gives_it_anew():
    member = member_create()

    row = consent_marketing_reconfirm(member=member)

    assert row.how == ConsentSource.SETTINGS


def test_the_review_command_reports_what_it_did():
    _given(member_create(), days_ago=740)
    out = io.StringIO()

    call_command("consents_review", stdout=out)

    assert "0 member(s) asked to confirm, 1 lapsed" in out.getvalue()


def test_the_worker_queues_one_daily_review_on_the_database_queue(settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }

    assert consents_review_plan() is True
    assert consents_review_plan() is False
    (row,) = DBTaskResult.objects.all()
    assert row.task_path == "community.services.consents.consents_review_task"


# --- The documents -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "language", "title"),
    [
        ("legal_terms", "ko", "이용약관"),
        ("legal_terms", "en", "Terms of service"),
        ("legal_privacy", "ko", "개인정보 처리방침"),
        ("legal_privacy", "en", "Privacy policy"),
    ],
)
def test_the_documents_render_with_the_operator_details(
    client, settings, name, language, title
):
    settings.MOIM_OPERATOR = OPERATOR

    response = client.get(reverse(name), headers={"accept-language": language})

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert f"<h1>{title}</h1>" in response.text
    for value in OPERATOR.values():
        assert value in response.text
    version = legal.version_current(name.removeprefix("legal_"))
    assert version.version in response.text


def test_the_privacy_policy_describes_what_moim_keeps(client):
    html = client.get(reverse("legal_privacy")).text

    for words in (
        "이메일 주소",
        "실명",
        "닉네임",
        "직무",
        "회사",
        "참가 신청",
        "채팅",
        "설문",
        "보유",
        "파기",
        "열람",
        "정정",
        "삭제",
        "처리정지",
        "만 14세",
        "쿠키",
        "2년",
    ):
        assert words in html, words


def test_an_earlier_version_has_its_page_and_an_unknown_one_is_404(client, new_terms):
    new_terms()
    earlier = client.get(reverse("legal_terms_version", args=["2026-12-05"]))

    assert earlier.status_code == 200
    assert "이전 버전이에요" in earlier.text
    assert client.get(reverse("legal_terms_version", args=["1999"])).status_code == 404


def test_every_page_links_both_documents_in_its_footer(client):
    for page in ("/", reverse("account_login"), "/no-such-page/"):
        html = client.get(page).text
        footer = html.split('<footer class="site-footer">', 1)[1]
        assert reverse("legal_terms") in footer
        assert reverse("legal_privacy") in footer


def test_the_current_version_is_the_latest_that_took_effect():
    first = legal.Version(legal.TERMS, "a", date(2026, 1, 1))
    second = legal.Version(legal.TERMS, "b", date(2026, 6, 1))
    versions = {legal.TERMS: (first, second), legal.PRIVACY: (first,)}

    original = legal.VERSIONS
    legal.VERSIONS = versions
    try:
        assert legal.version_current(legal.TERMS, date(2026, 5, 31)) == first
        assert legal.version_current(legal.TERMS, date(2026, 6, 1)) == second
        assert legal.version_upcoming(legal.TERMS, date(2026, 5, 1)) == second
    finally:
        legal.VERSIONS = original


# --- Demo data ---------------------------------------------------------------


def test_demo_members_have_agreed_and_are_not_sent_to_agree(client):
    call_command("seed_demo", stdout=io.StringIO())
    member = Member.objects.get(email="member01@demo.moim.kr")
    client.force_login(member)

    assert client.get("/").status_code == 200
    assert standing(member, ConsentPurpose.TERMS).exists()
    assert not Member.objects.exclude(legal_agreed=legal.required_key()).exists()
