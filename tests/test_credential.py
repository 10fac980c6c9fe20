"""The signed credential and the issuer id, without an LRS: did:key encoding, the key
file's custody rules, and `verify` naming exactly why a credential fails."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from packages.didkey import b58decode, b58encode, did_problem, public_key_of
from packages.errors import MoocError
from sync.credential import CredentialError, Grant, generate_key, load_key, sign, token_from_bytes, verify


def _grant(did: str, **changes: object) -> Grant:
    base = dict(
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000001",
        issuer=did,
        issuer_name="Open Test School",
        issuer_url=None,
        subject="mailto:amina@example.org",
        learner_name="Amina Diallo",
        course_id="stats-101",
        course_title="Statistics",
        course_version="1.2.0",
        score=0.875,
        threshold=0.6,
        issued_at=datetime(2026, 12, 1, tzinfo=timezone.utc),
    )
    base.update(changes)
    return Grant(**base)  # type: ignore[arg-type]


def test_did_key_matches_the_did_key_spec_vector() -> None:
    # did:key spec, Ed25519 example: the key bytes are the ones its multibase encodes
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert did_problem(did) is None
    raw = b58decode(did[len("did:key:z") :])
    assert raw[:2] == b"\xed\x01" and len(raw) == 34
    assert b58encode(raw) == did[len("did:key:z") :]
    assert public_key_of(did) is not None
    assert b58encode(b"\0\0\x01") == "112" and b58decode("112") == b"\0\0\x01"
    assert "must start with did:key:z6Mk" in (
        did_problem("did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme") or ""
    )
    assert did_problem("did:web:example.org") and did_problem("did:key:z6Mk0OIl") and did_problem(None)


def test_keygen_writes_a_private_key_and_never_overwrites_one(tmp_path: Path) -> None:
    path = tmp_path / "issuer.pem"
    did = generate_key(path)
    assert did.startswith("did:key:z6Mk") and load_key(path)[1] == did
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(MoocError, match="a key is never overwritten"):
        generate_key(path)
    assert load_key(path)[1] == did
    assert generate_key(path, force=True) != did


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_other_accounts_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "issuer.pem"
    generate_key(path)
    path.chmod(0o644)
    with pytest.raises(MoocError, match="readable by other accounts.*chmod 600"):
        load_key(path)


def test_bad_key_files_are_one_line(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
    junk.chmod(0o600)
    with pytest.raises(MoocError, match=r"junk\.pem: not an issuer key") as err:
        load_key(junk)
    assert "\n" not in str(err.value)
    with pytest.raises(MoocError, match="no such key file"):
        load_key(tmp_path / "missing.pem")


def test_verify_names_each_reason(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    did = generate_key(path)
    key, _ = load_key(path)
    token = sign(_grant(did, expires_at=datetime(2027, 12, 1, tzinfo=timezone.utc)), key)
    ok = verify(
        token,
        "c.jwt",
        issuer=did,
        learner="amina@example.org",
        course_id="stats-101",
        now=datetime(2027, 1, 1, tzinfo=timezone.utc),
    )
    assert (ok.learner_name, ok.course_id, ok.score, ok.issuer_name) == (
        "Amina Diallo",
        "stats-101",
        "87.5%",
        "Open Test School",
    )
    with pytest.raises(CredentialError, match=r"^c\.jwt: expired on 2027-12-01T00:00:00Z$"):
        verify(token, "c.jwt", issuer=did, now=datetime(2028, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(CredentialError, match="not valid before"):
        verify(token, "c.jwt", issuer=did, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
    with pytest.raises(CredentialError, match="issued to amina@example.org, not to urn:mooc:account:x"):
        verify(token, "c.jwt", issuer=did, learner="urn:mooc:account:x", now=datetime(2027, 1, 1, tzinfo=timezone.utc))
    other = generate_key(tmp_path / "other.pem")
    with pytest.raises(CredentialError, match=f"issued by {did}, not by the course's issuer {other}"):
        verify(token, "c.jwt", issuer=other)
    with pytest.raises(MoocError, match="does not belong to the issuer"):
        sign(_grant(other), key)
    head, body, sig = token.split(".")
    with pytest.raises(CredentialError, match="signature does not match"):
        verify(f"{head}.{body}.{sig[:-4]}AAAA", "c.jwt", issuer=did)
    account = sign(_grant(did, subject="urn:mooc:account:4f1c"), key)
    assert verify(account, "c.jwt", issuer=did, learner="urn:mooc:account:4f1c").subject == "urn:mooc:account:4f1c"


def test_hostile_credential_files_are_one_line() -> None:
    for raw, reason in [
        (b"x" * 70_000, "over 64 KiB"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"cred": 1}', 'needs a "credential" string'),
        (b"{" * 10_000, "bad JSON"),
    ]:
        with pytest.raises(CredentialError, match=reason) as err:
            token_from_bytes(raw, "f.json")
        assert "\n" not in str(err.value)
    assert token_from_bytes(b'{"credential": "a.b.c"}\n', "f.json") == "a.b.c"
    with pytest.raises(CredentialError, match="the credential's header is damaged"):
        verify("!!!.e30.c2ln", "f.jwt", issuer=None)
    with pytest.raises(CredentialError, match="not EdDSA"):
        verify("eyJhbGciOiJub25lIn0.e30.", "f.jwt", issuer=None)


def test_the_pack_names_its_issuer_or_gets_one_error_line(tmp_path: Path) -> None:
    from packages.loading import load_course
    from packages.source import open_source
    from tests.support.ralph import write_pack

    pack = write_pack(tmp_path / "p", None)
    toml = (pack / "course.toml").read_text()
    did = generate_key(tmp_path / "k.pem")
    (pack / "course.toml").write_text(
        toml.replace(
            "available = true",
            f'available = true\nissuer = "{did}"\nissuer_name = "School"\nissuer_url = "https://school.example.org/"',
        )
    )
    course = load_course(open_source(pack))
    assert (course.certificate_issuer, course.certificate_issuer_name) == (did, "School")
    (pack / "course.toml").write_text(toml.replace("available = true", 'available = true\nissuer = "did:web:x.org"'))
    with pytest.raises(
        MoocError,
        match=r"course\.toml:\d+:\d+: certificate\.issuer: 'did:web:x\.org' is not an "
        r"Ed25519 did:key .*`mooc certificate keygen` prints the issuer id",
    ):
        load_course(open_source(pack))


def test_a_self_signed_credential_with_odd_shapes_is_a_credential_error_not_a_crash(tmp_path: Path) -> None:
    import jwt

    path = tmp_path / "k.pem"
    did = generate_key(path)
    key, _ = load_key(path)
    subject = {"achievement": {"id": "urn:mooc:course:stats-101"}}

    def token(vc: dict[str, object]) -> str:
        return jwt.encode({"iss": did, "sub": "mailto:a@example.org", "vc": vc}, key, algorithm="EdDSA")

    for odd in (5, {"a": 1}, "NotOpenBadgeCredentialAtAll"):
        with pytest.raises(CredentialError, match="not an Open Badges credential"):
            verify(token({"type": odd, "credentialSubject": subject}), "odd.jwt", issuer=None)
    lone = verify(
        token({"type": "OpenBadgeCredential", "credentialSubject": {**subject, "identifier": 7}}),
        "odd.jwt",
        issuer=None,
    )
    assert (lone.course_id, lone.learner_name) == ("stats-101", "")
