"""An OAuth 2.0 / OpenID Connect server of the tests' own, on 127.0.0.1, that
speaks what Moim's providers speak (SECURITY.md: something outside the
machine is tested against a real server of ours that speaks its protocol):

- Kakao: ``/kakao/oauth/authorize``, ``/kakao/oauth/token`` and
  ``/kakao/v2/user/me`` (the account under ``kakao_account``, with
  ``is_email_verified``);
- Naver: ``/naver/oauth2.0/authorize``, ``/naver/oauth2.0/token`` and
  ``/naver/v1/nid/me`` (the profile under ``response``);
- Google (OpenID Connect): ``/google/o/oauth2/v2/auth``, ``/google/token``
  (with an RS256-signed ID token), ``/google/oauth2/v2/userinfo`` and the
  signing certificates at ``/google/oauth2/v1/certs``.

The authorisation endpoint shows a consent page, as a provider does, whose
buttons agree or refuse (``error=access_denied``). The person signed in at
the provider is whoever the test says (``sign_in``). The token endpoint
checks the client's id and secret, the code, and that the redirect URI is
the one the code was issued for; a code works once. Every request is
recorded (``requests``).

A ``http.server.ThreadingHTTPServer`` on a free port, in a thread of the
test process; ``provider_settings`` gives Moim's SOCIALACCOUNT_PROVIDERS
pointing at it.
"""

import datetime
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

HOST = "127.0.0.1"
PROVIDERS = ("kakao", "naver", "google")
CLIENTS = {
    provider: (f"{provider}-client-id", f"{provider}-client-secret")
    for provider in PROVIDERS
}
AUTHORIZE_PATHS = {
    "/kakao/oauth/authorize": "kakao",
    "/naver/oauth2.0/authorize": "naver",
    "/google/o/oauth2/v2/auth": "google",
}
TOKEN_PATHS = {
    "/kakao/oauth/token": "kakao",
    "/naver/oauth2.0/token": "naver",
    "/google/token": "google",
}
PROFILE_PATHS = {
    "/kakao/v2/user/me": "kakao",
    "/naver/v1/nid/me": "naver",
    "/google/oauth2/v2/userinfo": "google",
}
KID = "moim-test-key"


@dataclass
class Person:
    """Someone signed in at the provider."""

    uid: str
    email: str | None
    verified: bool = True
    # Kakao: an address another Kakao account has since taken stays
    # verified but is no longer valid.
    valid: bool = True
    name: str = ""
    nickname: str = ""


@dataclass
class Grant:
    provider: str
    person: Person
    client_id: str
    redirect_uri: str
    scope: str


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    form: dict
    headers: dict


@dataclass
class OAuthServer:
    base_url: str = ""
    people: dict[str, Person] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    _pending: dict[str, dict] = field(default_factory=dict)
    _codes: dict[str, Grant] = field(default_factory=dict)
    _tokens: dict[str, Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "moim-test")])
        now = datetime.datetime.now(datetime.UTC)
        self._certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .sign(self._key, hashes.SHA256())
        )

    # --- What the tests call ------------------------------------------------------

    def sign_in(self, provider: str, person: Person) -> None:
        """``person`` is signed in at ``provider`` from now on."""
        self.people[provider] = person

    def provider_settings(self) -> dict:
        """SOCIALACCOUNT_PROVIDERS with every provider switched on and
        pointed here (``provider_class`` as config.settings has it)."""
        from django.conf import settings

        base = self.base_url
        endpoints = {
            "kakao": {
                "AUTHORIZE_URL": f"{base}/kakao/oauth/authorize",
                "ACCESS_TOKEN_URL": f"{base}/kakao/oauth/token",
                "PROFILE_URL": f"{base}/kakao/v2/user/me",
            },
            "naver": {
                "AUTHORIZE_URL": f"{base}/naver/oauth2.0/authorize",
                "ACCESS_TOKEN_URL": f"{base}/naver/oauth2.0/token",
                "PROFILE_URL": f"{base}/naver/v1/nid/me",
            },
            "google": {
                "AUTHORIZE_URL": f"{base}/google/o/oauth2/v2/auth",
                "ACCESS_TOKEN_URL": f"{base}/google/token",
                "IDENTITY_URL": f"{base}/google/oauth2/v2/userinfo",
                "CERTS_URL": f"{base}/google/oauth2/v1/certs",
                "ID_TOKEN_ISSUER": f"{base}/google",
            },
        }
        configured = {}
        for provider, config in settings.SOCIALACCOUNT_PROVIDERS.items():
            client_id, secret = CLIENTS[provider]
            configured[provider] = {
                **config,
                **endpoints[provider],
                "APP": {"client_id": client_id, "secret": secret},
            }
        return configured

    def consent(self, authorize_url: str, agree: bool = True) -> str:
        """What a browser does at the provider: open the consent page of
        ``authorize_url`` and press agree (or refuse). Returns where the
        provider sends the browser back to (Moim's callback URL)."""
        import requests

        page = requests.get(authorize_url, timeout=10)
        page.raise_for_status()
        request_id = page.text.split('name="request" value="', 1)[1].split('"')[0]
        answer = requests.post(
            f"{self.base_url}/consent",
            data={"request": request_id, "answer": "agree" if agree else "deny"},
            allow_redirects=False,
            timeout=10,
        )
        return answer.headers["Location"]

    # --- The protocol -------------------------------------------------------------

    def _record(self, handler, form: dict) -> None:
        parts = urlsplit(handler.path)
        self.requests.append(
            Recorded(
                handler.command,
                parts.path,
                parse_qs(parts.query),
                form,
                dict(handler.headers.items()),
            )
        )

    def authorize(self, provider: str, query: dict) -> tuple[int, dict, str]:
        client_id = _one(query, "client_id")
        if client_id != CLIENTS[provider][0] or _one(query, "response_type") != "code":
            return 400, {}, "unknown client or response type"
        request_id = secrets.token_urlsafe(16)
        with self._lock:
            self._pending[request_id] = {
                "provider": provider,
                "client_id": client_id,
                "redirect_uri": _one(query, "redirect_uri"),
                "state": _one(query, "state"),
                "scope": _one(query, "scope"),
            }
        person = self.people.get(provider)
        who = html.escape(person.email or person.uid) if person else "?"
        page = (
            "<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'>"
            f"<title>{provider} 로그인</title></head><body>"
            f"<h1>{provider}</h1><p>{who}</p>"
            f"<form method='post' action='/consent'>"
            f'<input type="hidden" name="request" value="{request_id}">'
            "<button name='answer' value='agree'>동의하고 계속하기</button>"
            "<button name='answer' value='deny'>취소</button>"
            "</form></body></html>"
        )
        return 200, {"Content-Type": "text/html; charset=utf-8"}, page

    def _answer(self, request_id: str, answer: str) -> str:
        with self._lock:
            pending = self._pending.pop(request_id)
        params = {"state": pending["state"]} if pending["state"] else {}
        if answer != "agree":
            params = {"error": "access_denied", **params}
            if pending["provider"] == "naver":
                params["error_description"] = "Canceled By User"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = Grant(
                    provider=pending["provider"],
                    person=self.people[pending["provider"]],
                    client_id=pending["client_id"],
                    redirect_uri=pending["redirect_uri"],
                    scope=pending["scope"] or "",
                )
            params = {"code": code, **params}
        return f"{pending['redirect_uri']}?{urlencode(params)}"

    def token(self, provider: str, form: dict) -> tuple[int, dict]:
        client_id, secret = CLIENTS[provider]
        if _one(form, "client_id") != client_id or (
            _one(form, "client_secret") != secret
        ):
            return 401, {"error": "invalid_client"}
        if _one(form, "grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(_one(form, "code") or "", None)
        if grant is None or grant.provider != provider:
            return 400, {"error": "invalid_grant"}
        if provider != "naver" and _one(form, "redirect_uri") != grant.redirect_uri:
            return 400, {"error": "invalid_grant", "error_description": "redirect"}
        access_token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[access_token] = grant
        body = {
            "access_token": access_token,
            "token_type": "bearer",
            "expires_in": 3600,
            "refresh_token": secrets.token_urlsafe(24),
        }
        if provider == "naver":
            body["expires_in"] = "3600"
        if provider == "google":
            body["id_token"] = self._id_token(grant)
            body["scope"] = grant.scope
        return 200, body

    def _id_token(self, grant: Grant) -> str:
        person = grant.person
        now = int(time.time())
        claims = {
            "iss": f"{self.base_url}/google",
            "azp": grant.client_id,
            "aud": grant.client_id,
            "sub": person.uid,
            "name": person.name,
            "iat": now,
            "exp": now + 3600,
        }
        if person.email:
            claims["email"] = person.email
            claims["email_verified"] = person.verified
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KID})

    def profile(self, provider: str, authorization: str) -> tuple[int, dict]:
        token = authorization.removeprefix("Bearer ").strip()
        with self._lock:
            grant = self._tokens.get(token)
        if grant is None or grant.provider != provider:
            return 401, {"msg": "this access token does not exist", "code": -401}
        person = grant.person
        if provider == "kakao":
            account = {
                "profile_nickname_needs_agreement": False,
                "profile": {"nickname": person.nickname},
            }
            if person.email:
                account.update(
                    has_email=True,
                    email_needs_agreement=False,
                    is_email_valid=person.valid,
                    is_email_verified=person.verified,
                    email=person.email,
                )
            if person.name:
                account["name"] = person.name
            return 200, {
                "id": int(person.uid),
                "connected_at": "2026-12-05T00:00:00Z",
                "properties": {"nickname": person.nickname},
                "kakao_account": account,
            }
        if provider == "naver":
            response = {"id": person.uid, "nickname": person.nickname}
            if person.name:
                response["name"] = person.name
            if person.email:
                response["email"] = person.email
            return 200, {"resultcode": "00", "message": "success", "response": response}
        body = {"id": person.uid, "name": person.name, "picture": ""}
        if person.email:
            body.update(email=person.email, verified_email=person.verified)
        return 200, body

    def certs(self) -> dict:
        pem = self._certificate.public_bytes(serialization.Encoding.PEM)
        return {KID: pem.decode()}


def _one(values: dict, name: str) -> str | None:
    found = values.get(name)
    return found[0] if found else None


def _handler(server: OAuthServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def _send(self, status: int, headers: dict, body) -> None:
            if not isinstance(body, str):
                body = json.dumps(body)
                headers = {"Content-Type": "application/json;charset=UTF-8"}
            data = body.encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _form(self) -> dict:
            length = int(self.headers.get("Content-Length") or 0)
            return parse_qs(self.rfile.read(length).decode())

        def do_GET(self):
            server._record(self, {})
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            if parts.path in AUTHORIZE_PATHS:
                self._send(*server.authorize(AUTHORIZE_PATHS[parts.path], query))
            elif parts.path in PROFILE_PATHS:
                status, body = server.profile(
                    PROFILE_PATHS[parts.path], self.headers.get("Authorization", "")
                )
                self._send(status, {}, body)
            elif parts.path == "/google/oauth2/v1/certs":
                self._send(200, {}, server.certs())
            elif parts.path == "/favicon.ico":
                self._send(204, {}, "")
            else:
                self._send(404, {}, {"error": "not_found"})

        def do_POST(self):
            form = self._form()
            server._record(self, form)
            path = urlsplit(self.path).path
            if path in TOKEN_PATHS:
                status, body = server.token(TOKEN_PATHS[path], form)
                self._send(status, {}, body)
            elif path == "/consent":
                location = server._answer(_one(form, "request"), _one(form, "answer"))
                self._send(302, {"Location": location}, "")
            else:
                self._send(404, {}, {"error": "not_found"})

    return Handler


def oauth_server_start() -> tuple[OAuthServer, ThreadingHTTPServer]:
    state = OAuthServer()
    httpd = ThreadingHTTPServer((HOST, 0), _handler(state))
    httpd.daemon_threads = True
    state.base_url = f"http://{HOST}:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return state, httpd
