"""Credentials (docs/path.md): a member issues a signed Open Badge of an item
of their path that a record backs; a second JOSE library (PyJWT, not
joserfc that signs) checks it against the published keys; the status list
says which were revoked; keys rotate without breaking what was issued; the
verification page says what a credential is, or why it is not one."""

import base64
import gzip
import json
from datetime import timedelta

import jwt
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from community.access import access_for
from community.models import Membership, MembershipRole, SanctionKind
from community.personal_data import personal_data
from community.services.leaving import member_delete
from community.services.moderation import sanction_impose
from events import credentials
from events.errors import EventsError
from events.models import Credential
from events.selectors.credentials import credentials_issuable
from events.services.credentials import credential_issue, credential_revoke
from events.services.path import takeaway_save
from tests.events.factories import (
    gathering_drawn,
    gathering_held,
    member_joined,
)
from tests.events.test_path import helpful_answer
from tests.factories import client_sign_in, member_create

pytestmark = pytest.mark.django_db

SITE = "https://moim.example"
TAKEAWAY = "비밀스러운 배움: 전환 창을 줄였다"


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def held():
    """A gathering that ended: two attendees checked in, one no-show."""
    gathering, members = gathering_held(attendees=3, no_shows=1)
    return gathering, members


# --- An independent verifier (PyJWT), reading only what the site publishes ------


def published_keys(client) -> jwt.PyJWKSet:
    response = client.get(reverse("credential_keys"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    return jwt.PyJWKSet.from_dict(json.loads(response.content))


def independent_decode(
    client, token: str, required=("exp", "nbf", "iss", "sub", "jti")
) -> dict:
    """Check the EdDSA signature with PyJWT against the published JWKS, and
    the registered claims (exp, nbf, iss) as any JWT verifier would."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = published_keys(client)[kid]
    return jwt.decode(
        token,
        key.key,
        algorithms=["EdDSA"],
        issuer=f"{SITE}/",
        options={"require": list(required)},
    )


def independent_revoked(client, claims: dict) -> bool:
    """Fetch the status list the credential names, check its signature the
    same way, and read the bit (Bitstring Status List v1.0) by hand."""
    status = claims["credentialStatus"]
    url = status["statusListCredential"]
    assert url.startswith(SITE)
    response = client.get(url.removeprefix(SITE))
    assert response["Content-Type"] == "application/vc+jwt"
    listing = independent_decode(
        client, response.content.decode(), required=("exp", "nbf", "iss")
    )
    encoded = listing["credentialSubject"]["encodedList"]
    assert encoded.startswith("u")
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=="))
    assert len(bits) * 8 >= 131_072
    index = int(status["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify_page(client, token: str):
    return client.post(reverse("credential_verify"), {"credential": token})


# --- Issuing ---------------------------------------------------------------------


def test_an_independent_library_verifies_the_signature_and_the_claims(client, held):
    gathering, (attendee, *_rest) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )

    claims = independent_decode(client, credential.token)
    header = jwt.get_unverified_header(credential.token)

    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    assert "OpenBadgeCredential" in claims["type"]
    assert claims["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert claims["issuer"]["id"] == f"{SITE}/"
    assert claims["id"] == f"urn:uuid:{credential.pk}"
    subject = claims["credentialSubject"]
    assert subject["id"] == f"{SITE}/members/{attendee.public_id}/path/"
    assert subject["name"] == attendee.real_name
    assert subject["achievement"]["name"] == gathering.title
    assert subject["achievement"]["creator"]["name"] == gathering.community.name
    assert claims["credentialStatus"]["statusPurpose"] == "revocation"
    assert independent_revoked(client, claims) is False


def test_the_subject_is_named_by_the_path_address_and_name_only(client, held):
    gathering, (attendee, *_rest) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )

    subject = independent_decode(client, credential.token)["credentialSubject"]

    assert set(subject) - {"achievement", "role", "activityStartDate"} == {
        "id",
        "type",
        "name",
        "activityEndDate",
    }
    assert attendee.email not in credential.token


def test_the_credential_carries_only_what_the_member_chose_and_never_the_takeaway(
    client, held
):
    gathering, (attendee, *_rest) = held
    takeaway_save(member=attendee, gathering=gathering, learned=TAKEAWAY)

    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk, include=set()
    )
    claims = independent_decode(client, credential.token)
    text = json.dumps(claims, ensure_ascii=False)

    assert gathering.title in text
    assert TAKEAWAY not in text
    assert gathering.community.name not in text
    assert gathering.community.slug not in text
    assert "role" not in claims["credentialSubject"]
    assert "activityStartDate" not in claims["credentialSubject"]


def test_the_member_chooses_in_the_page_what_it_carries(client, held):
    gathering, (attendee, *_rest) = held
    client_sign_in(client, attendee)
    url = reverse("credential_issue", args=["attended", gathering.pk])

    assert client.get(url).status_code == 200
    response = client.post(url, {"include": ["date", "role"]})

    assert response.status_code == 302
    assert response["Location"].endswith("#credentials")
    subject = independent_decode(client, Credential.objects.get().token)[
        "credentialSubject"
    ]
    assert subject["role"] == "Attendee"
    assert "activityStartDate" in subject
    assert "creator" not in subject["achievement"]


def test_a_host_issues_one_for_a_gathering_they_hosted(client, held):
    gathering, _members = held
    host = gathering.hosts.first()

    credential = credential_issue(member=host, kind="hosted", object_id=gathering.pk)

    assert independent_decode(client, credential.token)["credentialSubject"][
        "role"
    ] == ("Host")


def test_an_author_issues_one_for_their_answer_marked_helpful(client, held):
    gathering, (attendee, asker, *_rest) = held
    thread = helpful_answer(gathering.community, attendee, asker)

    credential = credential_issue(member=attendee, kind="helpful", object_id=thread.pk)

    claims = independent_decode(client, credential.token)
    assert claims["credentialSubject"]["achievement"]["name"] == thread.title


def achievement_id(client, credential) -> str:
    claims = independent_decode(client, credential.token)
    return claims["credentialSubject"]["achievement"]["id"]


def test_the_achievement_id_cannot_be_traced_back_to_the_item_left_out(client, held):
    """Whoever reads the credential knows the site, the three kinds and that
    ids are small numbers: trying every kind x 1..10000 in every name-based
    UUID (and plain hashes of the same strings) must not find the item."""
    import hashlib
    import uuid

    gathering, (attendee, *_rest) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk, include=set()
    )
    found = achievement_id(client, credential).removeprefix("urn:uuid:")

    assert gathering.pk <= 10_000
    sites = (SITE, f"{SITE}/", "")
    for kind in ("attended", "hosted", "helpful"):
        for object_id in range(1, 10_001):
            for site in sites:
                name = f"{site}/{kind}/{object_id}"
                for namespace in (uuid.NAMESPACE_URL, uuid.NAMESPACE_DNS):
                    assert found != str(uuid.uuid5(namespace, name)), name
                    assert found != str(uuid.uuid3(namespace, name)), name
                digest = hashlib.sha256(name.encode()).digest()[:16]
                assert found != str(uuid.UUID(bytes=digest)), name


def test_the_achievement_id_is_the_members_own_and_stays_on_issuing_again(client, held):
    gathering, (attendee, other, *_rest) = held
    first = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)
    credential_revoke(member=attendee, credential_id=first.pk)
    again = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)
    theirs = credential_issue(member=other, kind="attended", object_id=gathering.pk)

    assert achievement_id(client, again) == achievement_id(client, first)
    # Another attendee's credential of the same gathering does not tell
    # that the two were there together.
    assert achievement_id(client, theirs) != achievement_id(client, first)
    assert achievement_id(client, first).startswith("urn:uuid:")


# --- Who may issue ---------------------------------------------------------------


def test_nobody_issues_one_for_a_gathering_they_were_not_checked_in_at(client, held):
    gathering, (_attendee, _other, no_show) = held
    outsider = member_joined(gathering.community)

    for member in (no_show, outsider):
        with pytest.raises(EventsError) as refused:
            credential_issue(member=member, kind="attended", object_id=gathering.pk)
        assert refused.value.code == "credential_not_eligible"
    assert not Credential.objects.exists()


def test_a_seat_nobody_checked_is_not_attendance_enough(client):
    gathering, (attendee, *_rest) = gathering_held(attendees=2)

    with pytest.raises(EventsError):
        credential_issue(member=attendee, kind="attended", object_id=gathering.pk)


def test_nobody_issues_one_before_the_gathering_is_over(client):
    gathering, members = gathering_drawn(capacity=2, applicants=2)

    with pytest.raises(EventsError):
        credential_issue(member=members[0], kind="attended", object_id=gathering.pk)
    with pytest.raises(EventsError):
        credential_issue(
            member=gathering.hosts.first(), kind="hosted", object_id=gathering.pk
        )


def test_nobody_issues_one_for_an_answer_not_theirs(client, held):
    gathering, (attendee, asker, *_rest) = held
    thread = helpful_answer(gathering.community, attendee, asker)

    with pytest.raises(EventsError):
        credential_issue(member=asker, kind="helpful", object_id=thread.pk)


def test_the_issue_page_of_an_item_not_theirs_is_not_found(client, held):
    gathering, (_attendee, _other, no_show) = held
    client_sign_in(client, no_show)
    url = reverse("credential_issue", args=["attended", gathering.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"include": ["date"]}).status_code == 404
    unknown = reverse("credential_issue", args=["takeaway", gathering.pk])
    assert client.get(unknown).status_code == 404
    assert not Credential.objects.exists()


def test_a_member_banned_from_the_community_cannot_issue_for_it(client, held):
    gathering, (attendee, *_rest) = held
    moderator = member_create()
    Membership.objects.create(
        community=gathering.community, member=moderator, role=MembershipRole.MODERATOR
    )
    earlier = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)
    credential_revoke(member=attendee, credential_id=earlier.pk)
    sanction_impose(
        access=access_for(moderator, gathering.community),
        member=attendee,
        kind=SanctionKind.BAN,
        reason="규칙 위반",
        ends_at=None,
    )

    with pytest.raises(EventsError) as refused:
        credential_issue(member=attendee, kind="attended", object_id=gathering.pk)

    assert refused.value.code == "credential_banned"
    assert ("attended", gathering.pk) not in credentials_issuable(member=attendee)
    client_sign_in(client, attendee)
    url = reverse("credential_issue", args=["attended", gathering.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"include": ["date"]}).status_code == 403
    assert Credential.objects.filter(revoked_at__isnull=True).count() == 0


def test_a_second_credential_of_an_item_waits_for_the_first_to_be_revoked(held):
    gathering, (attendee, *_rest) = held
    first = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)

    with pytest.raises(EventsError) as refused:
        credential_issue(member=attendee, kind="attended", object_id=gathering.pk)
    assert refused.value.code == "credential_in_force"

    credential_revoke(member=attendee, credential_id=first.pk)
    second = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)
    assert second.status_index != first.status_index


# --- Revoking ------------------------------------------------------------------


def test_a_revoked_credential_is_reported_revoked(client, held):
    gathering, (attendee, *_rest) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )
    client_sign_in(client, attendee)

    response = client.post(reverse("credential_revoke", args=[credential.pk]))

    assert response.status_code == 302
    claims = independent_decode(client, credential.token)
    assert independent_revoked(client, claims) is True
    page = verify_page(client, credential.token)
    assert page.status_code == 200
    assert page.context["result"].revoked is True
    assert "Revoked" in page.content.decode()


def test_revoking_one_credential_leaves_the_others_standing(client, held):
    gathering, (attendee, other, _no_show) = held
    kept = credential_issue(member=other, kind="attended", object_id=gathering.pk)
    gone = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)

    credential_revoke(member=attendee, credential_id=gone.pk)

    assert independent_revoked(client, independent_decode(client, kept.token)) is False


def test_another_member_can_neither_revoke_nor_download_a_credential(client, held):
    gathering, (attendee, other, _no_show) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )
    client_sign_in(client, other)

    revoke = client.post(reverse("credential_revoke", args=[credential.pk]))
    download = client.get(reverse("credential_download", args=[credential.pk]))

    assert revoke.status_code == 404
    assert download.status_code == 404
    credential.refresh_from_db()
    assert credential.revoked_at is None


def test_the_member_downloads_their_credential_as_a_jwt_file(client, held):
    gathering, (attendee, *_rest) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )
    client_sign_in(client, attendee)

    response = client.get(reverse("credential_download", args=[credential.pk]))

    assert response.status_code == 200
    assert response.content.decode() == credential.token
    assert response["Content-Disposition"].endswith('.jwt"')


# --- Keys and their rotation ---------------------------------------------------


def key_set(*keys: dict) -> str:
    return json.dumps({"keys": list(keys)})


def public_only(key: dict) -> dict:
    return {name: value for name, value in key.items() if name != "d"}


def test_key_rotation_keeps_earlier_credentials_verifiable(client, settings, held):
    gathering, (attendee, other, _no_show) = held
    old, new = credentials.key_generate("2026-01"), credentials.key_generate("2026-12")
    settings.MOIM_CREDENTIAL_KEYS = key_set(old)
    before = credential_issue(member=attendee, kind="attended", object_id=gathering.pk)

    # Rotation: the new key appended signs from now on.
    settings.MOIM_CREDENTIAL_KEYS = key_set(old, new)
    after = credential_issue(member=other, kind="attended", object_id=gathering.pk)
    assert jwt.get_unverified_header(after.token)["kid"] == "2026-12"
    assert independent_decode(client, before.token)["jti"] == before.id.urn
    assert verify_page(client, before.token).context["result"].revoked is False

    # Retired: listed without its private part, it still verifies.
    settings.MOIM_CREDENTIAL_KEYS = key_set(public_only(old), new)
    published = json.loads(client.get(reverse("credential_keys")).content)
    assert [key["kid"] for key in published["keys"]] == ["2026-01", "2026-12"]
    assert all("d" not in key for key in published["keys"])
    assert independent_decode(client, before.token)["jti"] == before.id.urn
    assert verify_page(client, before.token).status_code == 200

    # Removed from the set: what it signed no longer verifies.
    settings.MOIM_CREDENTIAL_KEYS = key_set(new)
    refused = verify_page(client, before.token)
    assert refused.status_code == 400
    assert "published keys" in refused.content.decode()


def test_a_new_secret_key_keeps_the_derived_keys_credentials_verifiable(
    client, settings, held
):
    gathering, (attendee, *_rest) = held
    settings.MOIM_CREDENTIAL_KEYS = ""
    first_secret = settings.SECRET_KEY
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )

    settings.SECRET_KEY = "another-secret-" + "x" * 50
    settings.SECRET_KEY_FALLBACKS = [first_secret]

    assert verify_page(client, credential.token).status_code == 200


# --- The verification page -------------------------------------------------------


def tamper(token: str) -> str:
    """The payload changed (another name), the signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["name"] = "다른 사람"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def test_a_tampered_credential_is_refused(client, held):
    gathering, (attendee, *_rest) = held
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    ).token
    forged = tamper(token)

    response = verify_page(client, forged)

    assert response.status_code == 400
    assert "signature does not match" in response.content.decode()
    with pytest.raises(jwt.InvalidSignatureError):
        independent_decode(client, forged)


def test_the_page_says_who_issued_it_to_whom_and_what(client, held):
    gathering, (attendee, *_rest) = held
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    ).token

    response = verify_page(client, f"\n  {token[:40]}\n{token[40:]}  \n")
    text = response.content.decode()

    assert response.status_code == 200
    assert "Valid" in text
    assert attendee.real_name in text
    assert gathering.title in text
    assert gathering.community.name in text
    assert f"{SITE}/" in text


def test_the_page_reads_an_uploaded_file(client, held):
    gathering, (attendee, *_rest) = held
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    ).token
    upload = __import__("io").BytesIO(token.encode())
    upload.name = "moim.jwt"

    response = client.post(reverse("credential_verify"), {"file": upload})

    assert response.status_code == 200
    assert response.context["result"].name == gathering.title


def test_an_expired_credential_is_refused(client, held):
    gathering, (attendee, *_rest) = held
    long_ago = timezone.now() - credentials.VALIDITY - timedelta(days=1)
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk, now=long_ago
    ).token

    response = verify_page(client, token)

    assert response.status_code == 400
    assert "expired" in response.content.decode()


@override_settings(SITE_URL="https://another.example")
def test_a_credential_of_another_issuer_is_refused(client, held):
    gathering, (attendee, *_rest) = held
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    ).token

    with override_settings(SITE_URL=SITE):
        response = verify_page(client, token)

    assert response.status_code == 400
    assert "not issued by this site" in response.content.decode()


@pytest.mark.parametrize(
    ("pasted", "says"),
    [
        ("", "Paste a credential"),
        ("hello", "that can be read"),
        ("a.b.c", "that can be read"),
        ("eyJhbGciOiJub25lIn0.e30.", "that can be read"),
        ("eyJhbGciOiJFZERTQSIsImtpZCI6Im5vIn0.e30.AAAA", "published keys"),
        ("x" * (credentials.TOKEN_LIMIT + 1), "too large"),
    ],
)
def test_bad_input_gets_a_clear_message_never_a_server_error(client, pasted, says):
    response = verify_page(client, pasted)

    assert response.status_code == 400
    assert says in response.content.decode()


def test_a_request_over_the_limit_is_refused_unread(client):
    response = client.post(reverse("credential_verify"), {"credential": "a" * 70_000})

    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_a_request_whose_size_says_nothing_readable_is_refused(client):
    response = client.post(
        reverse("credential_verify"), {"credential": "a"}, CONTENT_LENGTH="many"
    )

    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_the_page_answers_in_korean(client, held):
    gathering, (attendee, *_rest) = held
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    ).token

    response = client.post(
        reverse("credential_verify"),
        {"credential": tamper(token)},
        HTTP_ACCEPT_LANGUAGE="ko",
    )

    assert "서명" in response.content.decode()


# --- Exports, the path page, leaving --------------------------------------------


def test_the_path_export_and_the_personal_data_include_the_credentials(client, held):
    gathering, (attendee, *_rest) = held
    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )
    client_sign_in(client, attendee)

    exported = json.loads(client.get(reverse("path_json")).content)
    sections = {s.key: value for s, value in personal_data(attendee)}

    assert exported["credentials"][0]["jwt"] == credential.token
    assert sections["credentials"][0]["jwt"] == credential.token


def test_the_path_page_offers_credentials_to_its_owner_only(client, held):
    gathering, (attendee, other, _no_show) = held
    credential_issue(member=attendee, kind="attended", object_id=gathering.pk)
    path = reverse("member_path", args=[attendee.public_id])
    issue = reverse("credential_issue", args=["attended", gathering.pk])

    client_sign_in(client, other)
    seen_by_other = client.get(path).content.decode()
    client_sign_in(client, attendee)
    seen_by_owner = client.get(path).content.decode()

    assert 'id="credentials"' not in seen_by_other
    assert 'id="credentials"' in seen_by_owner
    # Issued already: no second offer until it is revoked.
    assert issue not in seen_by_owner


def test_leaving_moim_deletes_the_stored_copies(held):
    gathering, (attendee, *_rest) = held
    credential_issue(member=attendee, kind="attended", object_id=gathering.pk)

    member_delete(member=attendee)

    assert list(Credential.objects.values_list("token", "title")) == [("", "")]


@pytest.mark.parametrize("count", [1, 4])
def test_the_path_page_with_credentials_takes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, count
):
    host = None
    for _ in range(count):
        gathering, _members = gathering_held(attendees=1)
        host = gathering.hosts.first() if host is None else host
        gathering.hosts.add(host)
        credential_issue(member=host, kind="hosted", object_id=gathering.pk)
    client_sign_in(client, host)
    path = reverse("member_path", args=[host.public_id])

    with django_assert_max_num_queries(18):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("revoked", [0, 5])
def test_the_verify_page_takes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, held, revoked
):
    gathering, (attendee, *_rest) = held
    for _ in range(revoked):
        done = credential_issue(
            member=attendee, kind="attended", object_id=gathering.pk
        )
        credential_revoke(member=attendee, credential_id=done.pk)
    token = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    ).token

    with django_assert_max_num_queries(4):
        assert verify_page(client, token).status_code == 200


# --- Operator checks --------------------------------------------------------------


def test_the_credential_key_command_prints_a_key_the_site_can_sign_with(settings, held):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("credential_key", "2027-01", stdout=out)
    settings.MOIM_CREDENTIAL_KEYS = key_set(json.loads(out.getvalue()))
    gathering, (attendee, *_rest) = held

    credential = credential_issue(
        member=attendee, kind="attended", object_id=gathering.pk
    )

    assert credential.kid == "2027-01"


@pytest.mark.parametrize(
    ("configured", "check_id"),
    [
        ("{not json", "events.E010"),
        (key_set({"kty": "RSA", "kid": "x", "n": "AQAB", "e": "AQAB"}), "events.E010"),
        (key_set(public_only(credentials.key_generate("old"))), "events.E011"),
    ],
)
def test_keys_that_cannot_sign_are_an_error_of_the_checks(
    settings, configured, check_id
):
    from events.checks import check_credential_keys

    settings.MOIM_CREDENTIAL_KEYS = configured

    assert [error.id for error in check_credential_keys(None)] == [check_id]


def test_the_development_default_passes_the_checks(settings):
    from events.checks import check_credential_keys

    settings.MOIM_CREDENTIAL_KEYS = ""

    assert check_credential_keys(None) == []
