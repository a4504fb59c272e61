"""A Web Push service of the tests' own, on 127.0.0.1, that speaks the Web
Push protocol (RFC 8030) as a browser vendor's push service does
(SECURITY.md: something outside the machine is tested against a real server
of ours that speaks its protocol):

- ``subscribe()`` plays the browser: it makes a subscription's P-256 key
  pair and 16-byte auth secret and an endpoint ``/push/<id>`` here, and
  keeps the private key, as the browser does, to read what arrives;
- ``POST /push/<id>``: checks the VAPID ``Authorization`` header (RFC 8292:
  ``vapid t=<JWT>, k=<public key>``; the JWT's ES256 signature verified with
  ``k``, ``aud`` the endpoint's origin, ``exp`` in the future and within
  24 hours, ``sub`` a mailto: or https: URL), the ``TTL`` header, and
  ``Content-Encoding: aes128gcm``; decrypts the body (RFC 8291) with the
  subscription's private key and auth secret, records it (``received``)
  and answers 201 Created;
- a VAPID check that fails answers 401 (403 for a key other than the
  subscription's ``applicationServerKey``), an unknown endpoint 404;
- ``answer(id, *statuses)``: the next requests to that endpoint answer
  these statuses instead (404 or 410 for a subscription gone, 429 or 500
  for a service that cannot take it now, 307 to redirect to the same
  endpoint), in order, then 201 again.

A ``http.server.ThreadingHTTPServer`` on a free port, in a thread of the
test process.
"""

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

HOST = "127.0.0.1"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    server_key: str  # the applicationServerKey it was made with, if any

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                Encoding.X962, PublicFormat.UncompressedPoint
            )
        )

    @property
    def keys(self) -> dict:
        return {"p256dh": self.p256dh, "auth": b64url(self.auth)}

    def json(self) -> dict:
        """As a browser's ``PushSubscription.toJSON()``."""
        return {"endpoint": self.endpoint, "expirationTime": None, "keys": self.keys}


@dataclass
class Received:
    subscription: str
    status: int
    headers: dict
    claims: dict | None = None
    payload: dict | None = None  # the decrypted JSON
    raw: bytes = b""  # the decrypted bytes
    problem: str = ""


@dataclass
class PushServer:
    base_url: str = ""
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    answers: dict[str, list[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self._lock:
            self.subscriptions.clear()
            self.received.clear()
            self.answers.clear()

    def subscribe(self, server_key: str = "") -> Subscription:
        sub_id = secrets.token_urlsafe(12)
        subscription = Subscription(
            id=sub_id,
            endpoint=f"{self.base_url}/push/{sub_id}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=secrets.token_bytes(16),
            server_key=server_key,
        )
        with self._lock:
            self.subscriptions[sub_id] = subscription
        return subscription

    def answer(self, sub_id: str, *statuses: int) -> None:
        with self._lock:
            self.answers.setdefault(sub_id, []).extend(statuses)

    def delivered(self) -> list[Received]:
        """What arrived, decrypted, and was accepted (201)."""
        return [r for r in self.received if r.status == 201]

    def handle(self, path: str, headers: dict, body: bytes) -> Received:
        sub_id = path.removeprefix("/push/")
        with self._lock:
            subscription = self.subscriptions.get(sub_id)
            queued = self.answers.get(sub_id) or []
            forced = queued.pop(0) if queued else None
        record = Received(subscription=sub_id, status=201, headers=headers)
        if subscription is None:
            record.status, record.problem = 404, "unknown subscription"
        else:
            self._check(subscription, headers, body, record)
            if record.status == 201 and forced is not None:
                record.status = forced
        with self._lock:
            self.received.append(record)
        return record

    def _check(self, sub: Subscription, headers: dict, body: bytes, record) -> None:
        try:
            record.claims = vapid_verify(
                headers.get("authorization", ""),
                audience=self.base_url,
                server_key=sub.server_key,
            )
        except VapidInvalid as error:
            record.status, record.problem = error.status, str(error)
            return
        ttl = headers.get("ttl", "")
        if not ttl.isdigit():
            record.status, record.problem = 400, "TTL missing"
            return
        if headers.get("content-encoding") != "aes128gcm":
            record.status, record.problem = 415, "not aes128gcm"
            return
        try:
            record.raw = http_ece.decrypt(
                body,
                private_key=sub.private_key,
                auth_secret=sub.auth,
                version="aes128gcm",
            )
            record.payload = json.loads(record.raw)
        except Exception as error:
            record.status, record.problem = 400, f"cannot decrypt: {error!r}"


class VapidInvalid(Exception):
    def __init__(self, problem: str, status: int = 401) -> None:
        self.status = status
        super().__init__(problem)


def vapid_verify(header: str, *, audience: str, server_key: str = "") -> dict:
    """RFC 8292: ``vapid t=<JWT>, k=<key>``; returns the JWT's claims."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidInvalid("not the vapid scheme")
    values = {}
    for part in params.split(","):
        name, _, value = part.strip().partition("=")
        values[name] = value
    token, key = values.get("t", ""), values.get("k", "")
    if token.count(".") != 2 or not key:
        raise VapidInvalid("t or k missing")
    if server_key and key.rstrip("=") != server_key.rstrip("="):
        raise VapidInvalid("another applicationServerKey", status=403)
    head_b64, claims_b64, signature_b64 = token.split(".")
    try:
        head = json.loads(b64url_decode(head_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), b64url_decode(key)
        )
    except ValueError as error:
        raise VapidInvalid(f"unreadable: {error}") from error
    if head.get("alg") != "ES256" or len(signature) != 64:
        raise VapidInvalid("not ES256")
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(
            der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
        )
    except InvalidSignature as error:
        raise VapidInvalid("bad signature") from error
    if claims.get("aud") != audience:
        raise VapidInvalid(f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = claims.get("exp")
    now = time.time()
    if not isinstance(exp, int) or not now < exp <= now + 24 * 3600:
        raise VapidInvalid("exp not within 24 hours")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise VapidInvalid("sub missing")
    return claims


def _handler(server: PushServer):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            record = server.handle(self.path.split("?")[0], headers, body)
            answer = json.dumps({"problem": record.problem}).encode()
            self.send_response(record.status)
            if 300 <= record.status < 400:
                # Back to the same endpoint: a sender that follows it
                # delivers on the second request.
                self.send_header("Location", f"{server.base_url}{self.path}")
            if record.status == 201:
                self.send_header(
                    "Location", f"{server.base_url}/message/{secrets.token_hex(8)}"
                )
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


def push_server_start() -> tuple[PushServer, ThreadingHTTPServer]:
    state = PushServer()
    httpd = ThreadingHTTPServer((HOST, 0), _handler(state))
    httpd.daemon_threads = True
    state.base_url = f"http://{HOST}:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return state, httpd
