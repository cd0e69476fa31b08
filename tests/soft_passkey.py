"""A passkey held in memory: a WebAuthn authenticator in Python, for signing in over HTTP
as a browser with a platform passkey would, where no browser is at hand (the load test,
the tests of passkey verification).

It makes an EC P-256 key pair (ES256), registers its public key as a confirmed
django-otp-webauthn credential straight in the database (a registration ceremony would
need an attestation the server has no reason to check here), and answers the server's
authentication challenges: clientDataJSON {type "webauthn.get", challenge, origin},
authenticatorData = SHA-256(rp id) + flags (user present, user verified) + sign count,
and an ECDSA SHA-256 signature over authenticatorData + SHA-256(clientDataJSON), in the
JSON shape the library's script posts (PublicKeyCredential.toJSON()).

In tests/ so that both the tests and scripts/load_test.py (which puts the project root on
the path) import it as `tests.soft_passkey`; scripts/ is not a package.
"""

import hashlib
import json
import os
import struct
from base64 import urlsafe_b64encode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

USER_PRESENT, USER_VERIFIED = 0x01, 0x04
NAME = "Software passkey"


def b64url(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


def cose_public_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The COSE_Key of an EC2 P-256 ES256 key, CBOR-encoded as authenticators do:
    {1: 2 (kty EC2), 3: -7 (alg ES256), -1: 1 (crv P-256), -2: x, -3: y}."""
    numbers = public_key.public_numbers()
    x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
    return (
        b"\xa5"  # a map of 5 pairs
        + b"\x01\x02"  # 1: 2
        + b"\x03\x26"  # 3: -7
        + b"\x20\x01"  # -1: 1
        + b"\x21\x58\x20"  # -2: a 32-byte string
        + x
        + b"\x22\x58\x20"  # -3: a 32-byte string
        + y
    )


class SoftPasskey:
    """One credential of one person; the private key never leaves this object."""

    def __init__(self, rp_id: str, origin: str):
        self.rp_id, self.origin = rp_id, origin
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def register(self, user, name: str = NAME):
        """A confirmed WebAuthnCredential of `user` holding this key (the model hashes the
        credential id on save)."""
        from django_otp_webauthn.models import WebAuthnCredential

        return WebAuthnCredential.objects.create(
            user=user,
            name=name,
            confirmed=True,
            credential_id=self.credential_id,
            public_key=cose_public_key(self.private_key.public_key()),
            sign_count=self.sign_count,
            transports=["internal"],
            aaguid="00000000-0000-0000-0000-000000000000",
        )

    def assertion(self, options: dict, *, origin: str | None = None) -> dict:
        """The credential JSON answering `options` (the begin view's JSON: challenge,
        rpId, allowCredentials), as the browser's navigator.credentials.get gives it."""
        allowed = [c["id"] for c in options.get("allowCredentials") or []]
        if allowed and b64url(self.credential_id) not in allowed:
            raise ValueError("The server did not ask for this credential.")
        client_data = json.dumps(
            {
                "type": "webauthn.get",
                "challenge": options["challenge"],
                "origin": origin or self.origin,
                "crossOrigin": False,
            },
            separators=(",", ":"),
        ).encode()
        self.sign_count += 1
        authenticator_data = (
            hashlib.sha256(self.rp_id.encode()).digest()
            + bytes([USER_PRESENT | USER_VERIFIED])
            + struct.pack(">I", self.sign_count)
        )
        signature = self.private_key.sign(
            authenticator_data + hashlib.sha256(client_data).digest(),
            ec.ECDSA(hashes.SHA256()),
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(authenticator_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }
