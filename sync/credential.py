"""Signed certificates: Open Badges 3.0 `OpenBadgeCredential`s as VC-JWTs (EdDSA).

`mooc certificate issue` (sync/issuing.py) signs one per certificate granted; the
learner's mooc keeps it; `mooc certificate verify` checks it offline against the
issuer id the course pack names (a did:key, sync/didkey.py). The JWT encoding is
VC-JWT as Open Badges 3.0 uses it: header {alg: EdDSA, typ: JWT, kid: the did:key's
verification method}; claims `iss` (issuer did), `sub` (the learner: `mailto:EMAIL`
or `urn:mooc:account:ID`), `jti` (the credential id), `nbf`/`iat`, `exp` when the
provider set a validity, and `vc`, the credential itself. PyJWT with `cryptography`
does the signing and the signature check; the claims are checked here, each with
its own sentence (docs/certificates.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from packages.didkey import did_of, did_problem, key_id, public_key_of
from packages.errors import MoocError
from packages.i18n import _

MAX_CREDENTIAL_BYTES = 64 * 1024
MAX_KEY_BYTES = 16 * 1024
VC_CONTEXT = ["https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


class CredentialError(MoocError):
    """A credential that does not verify: the message says exactly why."""


# --------------------------------------------------------------------------- the issuer's key


def generate_key(path: Path, *, force: bool = False) -> str:
    """A new Ed25519 key in PEM (PKCS#8) at `path`, readable by its owner only; its did."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise MoocError(
            _(
                "{path}: already exists; a key is never overwritten (its certificates verify only with it): pick another file, or --force"
            ).format(path=path)
        ) from None
    except OSError as err:
        raise MoocError(
            _("{path}: cannot write the key: {strerror}").format(path=path, strerror=err.strerror)
        ) from None
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        os.write(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)
    return did_of(key.public_key())


def load_key(path: Path) -> tuple[Any, str]:
    """(the Ed25519 private key, its did) from a key file `mooc certificate keygen` wrote."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    from packages.datafile import read_bytes

    raw = read_bytes(path, MAX_KEY_BYTES, own=False)
    if raw is None:
        raise MoocError(
            _("{path}: no such key file (make one with `mooc certificate keygen -o {path}`)").format(path=path)
        )
    if os.name == "posix" and os.stat(path).st_mode & 0o077:
        raise MoocError(
            _("{path}: the issuer key is readable by other accounts (mode {mode:o}); run `chmod 600 {path}`").format(
                path=path, mode=os.stat(path).st_mode & 0o777
            )
        )
    try:
        key = load_pem_private_key(raw, password=None)
    except (ValueError, TypeError) as err:
        raise MoocError(
            _("{path}: not an issuer key ({value})").format(path=path, value=str(err).splitlines()[0][:100])
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise MoocError(_("{path}: not an Ed25519 key (make one with `mooc certificate keygen`)").format(path=path))
    return key, did_of(key.public_key())


# --------------------------------------------------------------------------- building and signing


@dataclass(frozen=True)
class Grant:
    """What one certificate says."""

    credential_id: str  # urn:uuid:…
    issuer: str  # did:key
    issuer_name: str
    issuer_url: str | None
    subject: str  # mailto:… or urn:mooc:account:…
    learner_name: str
    course_id: str
    course_title: str
    course_version: str
    score: float
    threshold: float
    issued_at: datetime
    expires_at: datetime | None = None


def subject_of(actor: dict[str, Any]) -> str | None:
    """The credential subject for an xAPI agent: its mbox, or its account as a URN."""
    mbox = actor.get("mbox")
    if isinstance(mbox, str) and mbox.startswith("mailto:"):
        return mbox
    account = actor.get("account")
    if isinstance(account, dict) and isinstance(account.get("name"), str):
        return f"urn:mooc:account:{account['name']}"
    return None


def achievement_id(course_id: str, version: str) -> str:
    from sync.statements import course_iri

    return f"{course_iri(course_id)}:v{version.split('.')[0]}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def claims_of(grant: Grant) -> dict[str, Any]:
    issuer: dict[str, Any] = {"id": grant.issuer, "type": ["Profile"], "name": grant.issuer_name}
    if grant.issuer_url:
        issuer["url"] = grant.issuer_url
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": achievement_id(grant.course_id, grant.course_version),
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": grant.course_title,
            "description": f"Course {grant.course_id}, version {grant.course_version}.",
            "criteria": {
                "narrative": f"Pass the course's graded quizzes with a course score of at least "
                f"{grant.threshold * 100:.0f}%, re-graded by the issuer."
            },
        },
        "result": [{"type": ["Result"], "value": f"{grant.score * 100:.1f}%"}],
        "identifier": [
            {"type": "IdentityObject", "hashed": False, "identityType": "name", "identityHash": grant.learner_name}
        ],
    }
    if grant.subject.startswith("mailto:"):
        subject["identifier"].append(
            {
                "type": "IdentityObject",
                "hashed": False,
                "identityType": "emailAddress",
                "identityHash": grant.subject[len("mailto:") :],
            }
        )
    else:
        subject["id"] = grant.subject
    vc: dict[str, Any] = {
        "@context": VC_CONTEXT,
        "id": grant.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "issuanceDate": _iso(grant.issued_at),
        "name": f"{grant.course_title}: certificate",
        "credentialSubject": subject,
    }
    claims: dict[str, Any] = {
        "iss": grant.issuer,
        "sub": grant.subject,
        "jti": grant.credential_id,
        "nbf": int(grant.issued_at.timestamp()),
        "iat": int(grant.issued_at.timestamp()),
        "vc": vc,
    }
    if grant.expires_at is not None:
        vc["expirationDate"] = _iso(grant.expires_at)
        claims["exp"] = int(grant.expires_at.timestamp())
    return claims


def sign(grant: Grant, key: Any) -> str:
    """The compact VC-JWT of `grant`, signed with the issuer's Ed25519 key."""
    import jwt

    if did_of(key.public_key()) != grant.issuer:
        raise MoocError(_("the key does not belong to the issuer the course names"))
    return jwt.encode(claims_of(grant), key, algorithm="EdDSA", headers={"kid": key_id(grant.issuer), "typ": "JWT"})


# --------------------------------------------------------------------------- verifying


@dataclass(frozen=True)
class Verified:
    issuer: str
    issuer_name: str
    subject: str
    learner_name: str
    course_id: str
    course_title: str
    achievement: str
    score: str
    issued_at: datetime
    expires_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": True,
            "issuer": self.issuer,
            "issuer_name": self.issuer_name,
            "subject": self.subject,
            "learner_name": self.learner_name,
            "course": self.course_id,
            "course_title": self.course_title,
            "achievement": self.achievement,
            "score": self.score,
            "issued": _iso(self.issued_at),
            "expires": _iso(self.expires_at) if self.expires_at else None,
        }


def token_from_bytes(raw: bytes, label: str) -> str:
    """The compact JWT in a `.jwt` file or a `.json` one ({"credential": JWT})."""
    from sync import safe_json

    if len(raw) > MAX_CREDENTIAL_BYTES:
        raise CredentialError(
            _("{label}: not a credential (over {value} KiB)").format(label=label, value=MAX_CREDENTIAL_BYTES // 1024)
        )
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CredentialError(_("{label}: not a credential (not UTF-8 text)").format(label=label)) from None
    if text.startswith("{"):
        try:
            doc = safe_json.loads(text)
        except ValueError as err:
            raise CredentialError(
                _("{label}: not a credential (bad JSON: {err})").format(label=label, err=err)
            ) from None
        found = doc.get("credential") if isinstance(doc, dict) else None
        if not isinstance(found, str):
            raise CredentialError(
                _('{label}: not a credential (a JSON file needs a "credential" string)').format(label=label)
            )
        text = found
    return text


def _segment(part: str, what: str, label: str) -> dict[str, Any]:
    import base64

    from sync import safe_json

    try:
        data = safe_json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        data = None
    if not isinstance(data, dict):
        raise CredentialError(
            _("{label}: the credential's {what} is damaged: it was changed after signing").format(
                label=label, what=what
            )
        )
    return data


def _subject_text(subject: str) -> str:
    return subject[len("mailto:") :] if subject.startswith("mailto:") else subject


def verify(
    token: str,
    label: str,
    *,
    issuer: str | None,
    learner: str | None = None,
    course_id: str | None = None,
    now: datetime | None = None,
) -> Verified:
    """Check a VC-JWT offline; CredentialError naming the first reason it fails.

    `issuer`: the did:key the course pack names (None: only the credential's own
    `iss` is known, which proves nothing about who issued it; the caller says so).
    `learner`: an email (or `mailto:…`) or an account URN it must be issued to."""
    import jwt

    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise CredentialError(
            _("{label}: not a signed credential (a VC-JWT has three parts separated by '.')").format(label=label)
        )
    header = _segment(parts[0], "header", label)
    claims = _segment(parts[1], "content", label)
    if header.get("alg") != "EdDSA":
        raise CredentialError(
            _("{label}: signed with {value!r}, not EdDSA: not a mooc certificate").format(
                label=label, value=str(header.get("alg"))[:20]
            )
        )
    iss = claims.get("iss")
    if did_problem(iss):
        raise CredentialError(
            _("{label}: its issuer is not a did:key ({iss})").format(label=label, iss=did_problem(iss))
        )
    if issuer is not None and iss != issuer:
        raise CredentialError(
            _("{label}: issued by {iss}, not by the course's issuer {issuer}").format(
                label=label, iss=iss, issuer=issuer
            )
        )
    try:
        jwt.decode(
            token,
            public_key_of(str(iss)),
            algorithms=["EdDSA"],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_aud": False},
        )
    except jwt.InvalidSignatureError:
        raise CredentialError(
            _(
                "{label}: the signature does not match: the credential was changed after signing, or signed by another key than {iss}'s"
            ).format(label=label, iss=iss)
        ) from None
    except jwt.PyJWTError as err:
        raise CredentialError(
            _("{label}: not a valid signed credential ({value})").format(label=label, value=str(err)[:120])
        ) from None
    vc = claims.get("vc")
    subject = vc.get("credentialSubject") if isinstance(vc, dict) else None
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    types = vc.get("type") if isinstance(vc, dict) else None
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if (
        not (isinstance(vc, dict) and isinstance(subject, dict) and isinstance(achievement, dict))
        or "OpenBadgeCredential" not in types
    ):
        raise CredentialError(
            _("{label}: signed, but not an Open Badges credential (no achievement)").format(label=label)
        )
    moment = now or datetime.now(timezone.utc)
    exp, nbf = claims.get("exp"), claims.get("nbf")
    if isinstance(exp, (int, float)) and moment.timestamp() >= exp:
        raise CredentialError(
            _("{label}: expired on {value}").format(label=label, value=_iso(datetime.fromtimestamp(exp, timezone.utc)))
        )
    if isinstance(nbf, (int, float)) and moment.timestamp() + 300 < nbf:
        raise CredentialError(
            _("{label}: not valid before {value}").format(
                label=label, value=_iso(datetime.fromtimestamp(nbf, timezone.utc))
            )
        )
    sub = str(claims.get("sub") or "")
    if learner is not None:
        wanted = learner if learner.startswith(("mailto:", "urn:")) else f"mailto:{learner}"
        if sub.casefold() != wanted.casefold():
            raise CredentialError(
                _("{label}: issued to {sub}, not to {wanted}").format(
                    label=label, sub=_subject_text(sub), wanted=_subject_text(wanted)
                )
            )
    course = course_of(str(achievement.get("id") or ""))
    if course_id is not None and course != course_id:
        raise CredentialError(
            _("{label}: a certificate for the course {value}, not {course_id}").format(
                label=label, value=course or "(none)", course_id=course_id
            )
        )
    identifiers = subject.get("identifier")
    names = [
        i.get("identityHash")
        for i in (identifiers if isinstance(identifiers, list) else [])
        if isinstance(i, dict) and i.get("identityType") == "name"
    ]
    result = subject.get("result")
    score = result[0].get("value") if isinstance(result, list) and result and isinstance(result[0], dict) else ""
    issuer_doc = vc.get("issuer")
    issuer_doc = issuer_doc if isinstance(issuer_doc, dict) else {}
    return Verified(
        issuer=str(iss),
        issuer_name=str(issuer_doc.get("name") or ""),
        subject=sub,
        learner_name=str(names[0]) if names else "",
        course_id=course,
        course_title=str(achievement.get("name") or ""),
        achievement=str(achievement.get("id")),
        score=str(score or ""),
        issued_at=datetime.fromtimestamp(nbf if isinstance(nbf, (int, float)) else 0, timezone.utc),
        expires_at=datetime.fromtimestamp(exp, timezone.utc) if isinstance(exp, (int, float)) else None,
    )


def course_of(achievement: str) -> str:
    """The course id in an achievement id `urn:mooc:course:ID:vMAJOR`."""
    from urllib.parse import unquote

    prefix = "urn:mooc:course:"
    if not achievement.startswith(prefix):
        return ""
    return unquote(achievement[len(prefix) :].rsplit(":v", 1)[0])


def payload_of(token: str) -> dict[str, Any]:
    """The claims of a token WITHOUT checking them (to show what a credential says)."""
    return _segment(token.split(".")[1], "content", "credential") if token.count(".") == 2 else {}


def claimed_course(token: str) -> str:
    """The course id a credential says it is for, WITHOUT checking it ("" when unreadable):
    to find the pack whose issuer it must then be checked against."""
    try:
        claims = payload_of(token)
    except CredentialError:
        return ""
    vc = claims.get("vc")
    vc = vc if isinstance(vc, dict) else {}
    subject = vc.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    return course_of(str(achievement.get("id") or ""))
