"""Where records go (config overrides the pack, per course or for everything), how
hosts are named for consent, and which credentials apply to which endpoint."""

from __future__ import annotations

import pytest

from packages.errors import MoocError
from packages.layout import Layout
from player.config import update_config
from sync import credentials
from sync.consent import Consent
from sync.endpoints import normalise, resolve
from tests.conftest import Homes


def test_config_overrides_the_pack_per_course_then_globally(mooc_home: Homes) -> None:
    layout = Layout.default(mooc_home.home)
    pack = "https://provider.example.org/xapi"
    assert resolve(layout, "c1", None) is None
    assert resolve(layout, "c1", pack).url == "https://provider.example.org/xapi/"
    update_config(layout, lambda c: c.setdefault("sync", {}).update(endpoint="https://lab.example.org/lrs/"))
    assert resolve(layout, "c1", pack).host == "lab.example.org"
    update_config(
        layout,
        lambda c: c["sync"].setdefault("courses", {}).update({"c1": {"endpoint": "https://other.example.org:8443/x"}}),
    )
    assert resolve(layout, "c1", pack).url == "https://other.example.org:8443/x/"
    assert resolve(layout, "c1", pack).host == "other.example.org:8443"
    assert resolve(layout, "c2", pack).host == "lab.example.org"
    update_config(layout, lambda c: c["sync"].update(endpoint="ftp://nope"))
    with pytest.raises(MoocError, match=r"config\.toml: \[sync\] endpoint"):
        resolve(layout, "c2", pack)


def test_hosts_are_normalised_for_consent(mooc_home: Homes) -> None:
    consent = Consent(Layout.default(mooc_home.home), "amina")
    consent.allow("https://LRS.Example.org/xapi/")
    assert consent.allowed("lrs.example.org")
    assert consent.allowed("https://lrs.example.org:443/other/")
    assert not consent.allowed("lrs.example.org:8443")
    assert not consent.allowed("evil.example.org")
    assert consent.revoke("lrs.example.org") and not consent.allowed("lrs.example.org")
    with pytest.raises(MoocError):
        consent.allow("not a host")


def test_credentials_apply_only_to_their_origin(mooc_home: Homes, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = Layout.default(mooc_home.home)
    for var in ("MOOC_LRS_USER", "MOOC_LRS_PASSWORD", "MOOC_LRS_TOKEN", "MOOC_LRS_ENDPOINT"):
        monkeypatch.delenv(var, raising=False)
    mine = normalise("https://lrs.example.org/xapi/")
    credentials.store(layout, mine, user="lab", password="pw")
    assert credentials.lookup(layout, mine).user == "lab"
    assert credentials.lookup(layout, normalise("https://lrs.example.org/other/")).user == "lab"
    assert credentials.lookup(layout, normalise("https://evil.example.org/xapi/")) is None
    assert credentials.lookup(layout, normalise("http://lrs.example.org/xapi/")) is None  # not the same origin
    assert "pw" not in repr(credentials.lookup(layout, mine))
    monkeypatch.setenv("MOOC_LRS_TOKEN", "tok")
    monkeypatch.setenv("MOOC_LRS_ENDPOINT", "https://evil.example.org/")
    assert credentials.lookup(layout, mine).user == "lab"
    monkeypatch.setenv("MOOC_LRS_ENDPOINT", "https://lrs.example.org/xapi/")
    assert credentials.lookup(layout, mine).header() == "Bearer tok"
    (mooc_home.home / "credentials.toml").chmod(0o644)
    monkeypatch.delenv("MOOC_LRS_TOKEN")
    with pytest.raises(MoocError, match="chmod 600"):
        credentials.lookup(layout, mine)
