"""Every page's header is rendered once per everything it shows and kept
(community.templatetags.site_frame): what a reader gets is what a full
render gives them, with their own CSRF token, the page's own address and
search words, and anything that changes what it shows (a new name, picture
or unread count, the language) shows at the next request."""

import re
from urllib.parse import quote

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from community.models import Member, Notification, NotificationKind
from community.selectors.notifications import unread_counts_forget
from community.templatetags import site_frame
from tests.factories import client_sign_in, member_create

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]*)"')


def header(response) -> str:
    html = response.content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>")]


def rendered_in_full(response, *, search_query="") -> str:
    """The header as the template renders it without keeping anything, for
    the same request (its token included)."""
    request = response.wsgi_request
    html = header(response)
    token = TOKEN.search(html).group(1)
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
    unread = None
    if request.user.is_authenticated:
        unread = response.context["unread_notification_count"]()
    full = get_template(site_frame.HEADER).render(
        {
            "user": request.user,
            "unread_notification_count": unread,
            "slot": {
                "csrf": mark_safe(csrf),
                "next": escape(request.get_full_path()),
                "q": escape(search_query),
            },
        }
    )
    return full[: full.index("</header>")]


def notify(member) -> None:
    Notification.objects.create(
        recipient=member, kind=NotificationKind.REPLY, message="답글"
    )
    # As the services that notify do, once committed.
    unread_counts_forget([member.pk])


@pytest.fixture
def notified(member):
    notify(member)
    return member


@pytest.mark.parametrize("signed_in", [True, False])
def test_the_kept_header_is_the_full_render(client, notified, signed_in):
    if signed_in:
        client_sign_in(client, notified)
    path = reverse("search") + "?q=" + quote('"<b>&x')

    for _ in range(2):  # rendered, then kept
        response = client.get(path)
        assert header(response) == rendered_in_full(response, search_query='"<b>&x')
    assert escape(path) in header(response)
    assert 'value="&quot;&lt;b&gt;&amp;x"' in header(response)


def test_both_forms_carry_the_readers_own_token(member):
    first, second = client_sign_in(Client(), member), Client()
    first.get(reverse("home"))
    second.get(reverse("home"))

    # Signing out and the language form; signed out, the language form.
    for client, forms in ((first, 2), (second, 1)):
        response = client.get(reverse("home"))
        tokens = TOKEN.findall(header(response))
        assert len(tokens) == forms
        secret = client.cookies["csrftoken"].value
        assert all(_unmask_cipher_token(t) == secret for t in tokens)
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value


def test_search_words_that_spell_a_slot_are_shown_as_text(client, member):
    # Whatever a reader sends is escaped before it is filled in, so it
    # never spells a slot, even one of the slots filled after it.
    client_sign_in(client, member)
    spelled = site_frame._slot("csrf")

    html = header(client.get(reverse("search") + "?q=" + quote(spelled)))

    assert f'value="{escape(spelled)}"' in html
    assert len(TOKEN.findall(html)) == 2
    assert "<!--" not in html


def test_a_new_unread_notification_shows_at_the_next_request(client, member):
    client_sign_in(client, member)
    assert "data-unread-badge hidden" in header(client.get(reverse("home")))

    notify(member)

    html = header(client.get(reverse("home")))
    assert "data-unread-badge>1</span>" in html


def test_a_nickname_shown_instead_of_the_real_name_shows_at_once(client, member):
    client_sign_in(client, member)
    assert member.real_name in header(client.get(reverse("home")))

    Member.objects.filter(pk=member.pk).update(
        nickname="그로스해커", nickname_key="그로스해커", display_mode="nickname"
    )

    html = header(client.get(reverse("home")))
    assert "그로스해커" in html
    assert member.real_name not in html


def test_each_language_gets_its_own_header(client, member):
    client_sign_in(client, member)

    korean = header(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="ko"))
    english = header(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "로그아웃" in korean and 'lang="ko"' not in korean
    assert "Sign out" in english
    assert '<option value="en" selected>' in english
    assert '<option value="ko" selected>' in korean


def test_two_members_never_share_a_header(client, member):
    other = member_create()
    mine = header(client_sign_in(Client(), member).get(reverse("home")))
    theirs = header(client_sign_in(Client(), other).get(reverse("home")))

    assert member.real_name in mine and other.real_name not in mine
    assert other.real_name in theirs and member.public_id not in theirs


def test_the_kept_headers_are_bounded(client, member, monkeypatch):
    monkeypatch.setattr(site_frame, "KEPT_MAX", 2)
    site_frame._kept.clear()
    client_sign_in(client, member)
    for language in ("ko", "en"):
        client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language)
    Client().get(reverse("home"))

    assert len(site_frame._kept) == 2
