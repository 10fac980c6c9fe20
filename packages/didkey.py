"""`did:key` identifiers for Ed25519 keys (W3C did:key method, multicodec 0xed01).

A course pack names its certificate issuer by such an id (`[certificate] issuer`):
the id IS the public key, so a learner verifies a certificate offline with nothing
but the pack. `did:key:z6Mk…`: 'z' is multibase base58btc, then the varint of the
Ed25519 public-key multicodec (0xed 0x01) and the 32-byte key.
"""

from __future__ import annotations

from typing import Any

from packages.errors import MoocError
from packages.i18n import _

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_ED25519_PREFIX = b"\xed\x01"
PREFIX = "did:key:z"
MAX_DID = 128  # an Ed25519 did:key is 56 characters


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_ALPHABET[rest])
    return "1" * zeros + "".join(reversed(out))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise ValueError(f"{char!r} is not a base58 character")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def did_of(public_key: Any) -> str:
    """The did:key of an Ed25519 public key (cryptography's Ed25519PublicKey)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return PREFIX + b58encode(_ED25519_PREFIX + raw)


def did_problem(did: object) -> str | None:
    """None for a usable Ed25519 did:key; otherwise what is wrong with it."""
    if not isinstance(did, str) or len(did) > MAX_DID:
        return _("not a did:key")
    if not did.startswith(PREFIX):
        return _("not an Ed25519 did:key (it must start with did:key:z6Mk)")
    try:
        raw = b58decode(did[len(PREFIX) :])
    except ValueError as err:
        return _("not a did:key ({err})").format(err=err)
    if not raw.startswith(_ED25519_PREFIX) or len(raw) != 34:
        return _("not an Ed25519 did:key (it must start with did:key:z6Mk)")
    return None


def public_key_of(did: str) -> Any:
    """The Ed25519PublicKey a did:key names; MoocError saying why when it names none."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    problem = did_problem(did)
    if problem:
        raise MoocError(_("issuer {did!r}: {problem}").format(did=did[:80], problem=problem))
    return Ed25519PublicKey.from_public_bytes(b58decode(did[len(PREFIX) :])[2:])


def key_id(did: str) -> str:
    """The verification method of a did:key: `did:key:z…#z…`."""
    return f"{did}#{did[len('did:key:') :]}"
