"""A passkey in software, for tests that register and sign in without a
browser: it answers the WebAuthn options a page hands out as a platform
authenticator would (no attestation, user present and verified), signing with
a P-256 key of its own. The server side under test is allauth's and fido2's.
"""

import hashlib
import json
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
)

FLAGS = AuthenticatorData.FLAG


def _b64(data: bytes) -> str:
    return websafe_encode(data)


class SoftPasskey:
    def __init__(self, rp_id: str, origin: str):
        self.rp_id = rp_id
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)
        self.user_handle: str | None = None
        self.counter = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def _rp_id_hash(self) -> bytes:
        return hashlib.sha256(self.rp_id.encode()).digest()

    def register(self, creation_options: dict) -> dict:
        """The credential a browser posts after
        ``navigator.credentials.create`` with ``creation_options`` (the
        ``publicKey`` options as allauth hands them to its script)."""
        options = creation_options["publicKey"]
        self.user_handle = options["user"]["id"]
        public_key = ES256.from_cryptography_key(self.key.public_key())
        credential = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, public_key
        )
        auth_data = AuthenticatorData.create(
            self._rp_id_hash(),
            FLAGS.UP | FLAGS.UV | FLAGS.AT,
            self.counter,
            credential,
        )
        attestation = AttestationObject.create("none", auth_data, {})
        client_data = self._client_data("webauthn.create", options["challenge"])
        return {
            "type": "public-key",
            "id": _b64(self.credential_id),
            "rawId": _b64(self.credential_id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": _b64(client_data),
                "attestationObject": _b64(bytes(attestation)),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def sign_in(self, request_options: dict) -> dict:
        """The assertion a browser posts after ``navigator.credentials.get``
        with ``request_options``."""
        options = request_options["publicKey"]
        self.counter += 1
        auth_data = AuthenticatorData.create(
            self._rp_id_hash(), FLAGS.UP | FLAGS.UV, self.counter
        )
        client_data = self._client_data("webauthn.get", options["challenge"])
        signed = bytes(auth_data) + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        return {
            "type": "public-key",
            "id": _b64(self.credential_id),
            "rawId": _b64(self.credential_id),
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": _b64(client_data),
                "authenticatorData": _b64(bytes(auth_data)),
                "signature": _b64(signature),
                "userHandle": self.user_handle,
            },
            "clientExtensionResults": {},
        }
