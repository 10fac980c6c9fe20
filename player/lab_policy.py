"""The lab's policy: what an administrator decides for every learner of a machine.

``SYSTEM/policy.toml`` in the system store's folder (`layout.system_home`, the
folder of `mooc install --system`), written by `mooc lab ...` run as the
administrator, read by every account::

    format = "mooc-lab-policy"
    version = 1
    school = "Lycée Victor Hugo"            # named to learners: "approved by ..."

    [lrs]
    approved_hosts = ["lrs.school.example"]  # consent given for every learner of the machine

    [agent]                                 # the sync agent (`mooc sync --watch`, docs/sync.md)
    mode = "everyone"                       # installed for every account (`mooc lab agent everyone`);
                                            # "forbidden": never runs here; absent: each account chooses

    [[roster]]                              # the class: learners every account of the machine has
    id = "amina-diallo"
    name = "Amina Diallo"
    email = "amina@example.org"
    account_id = "3f1c…"                    # fixed when the roster was imported: the same on every
    pin = "scrypt$…"                        # PC that has this policy (a cloned image, a shared folder)

Learners see what the school approved (`mooc consent list`, the TUI, plain mode).
Because it speaks for everyone, the file is trusted only when nobody but its owner
can change it: a policy file (or its folder) writable by other users, or owned by
someone other than the administrator or this user, is ignored with one warning.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.layout import Layout
from packages.safe_text import one_line

FORMAT = "mooc-lab-policy"
VERSION = 1
AGENT_MODES = ("everyone", "forbidden")  # and "": each account chooses


@dataclass(frozen=True)
class Policy:
    path: Path
    school: str = ""
    approved_hosts: tuple[str, ...] = ()
    roster: tuple[Any, ...] = ()  # player.learner_identity.Learner, origin "school"
    agent: str = ""  # the sync agent: "everyone", "forbidden", or "" (each account chooses)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def who(self) -> str:
        """How learners are told who approved: the school's name, else "your school"."""
        return self.school or "your school"


def policy_file(layout: Layout) -> Path:
    return layout.system_home / "policy.toml"


_cache: dict[Path, tuple[tuple[int, int, int], Policy]] = {}


def load(layout: Layout) -> Policy:
    """The machine's policy (an empty one when there is none, or it is not to be trusted)."""
    path = policy_file(layout)
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return Policy(path)
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _cache.get(path)
    if cached and cached[0] == key:
        return cached[1]
    policy = Policy(path)
    problem = _untrusted(path, st)
    if problem:
        from packages.notices import warn

        warn(_("{path}: {problem}; the lab policy is ignored").format(path=path, problem=problem))
    else:
        try:
            policy = parse(path, _read(path))
        except MoocError as err:
            from packages.notices import warn

            warn(_("{error}; the lab policy is ignored").format(error=err))
    _cache[path] = (key, policy)
    return policy


def _untrusted(path: Path, st: os.stat_result) -> str | None:
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
        return _("not a regular file")
    from packages.portable import my_uid, owned_by_me_or_root

    if my_uid() is None:
        return None
    if not owned_by_me_or_root(st):
        return _("owned by another user (uid {uid}), not the administrator").format(uid=st.st_uid)
    if st.st_mode & 0o022:
        return _("writable by other users")
    folder = os.stat(path.parent)
    if folder.st_mode & 0o022 and not folder.st_mode & stat.S_ISVTX:
        return _("its folder is writable by other users")
    return None


def _read(path: Path) -> dict[str, Any]:
    from packages.datafile import load_toml

    return load_toml(path, own=False)


def parse(path: Path, raw: dict[str, Any]) -> Policy:
    from player.learner_identity import Learner, check_email, clean_name
    from player.pin import is_hash

    if not raw:
        return Policy(path)
    if raw.get("format") != FORMAT:
        raise MoocError(
            _("{path}: not a mooc lab policy (format is not {FORMAT})").format(path=path, FORMAT=repr(FORMAT))
        )
    version = raw.get("version")
    if not isinstance(version, int) or not 1 <= version <= VERSION:
        raise MoocError(
            _("{path}: lab policy version {version} is not supported; upgrade mooc").format(
                path=path, version=one_line(str(version))
            )
        )
    school = raw.get("school", "")
    if not isinstance(school, str):
        raise MoocError(_("{path}: 'school' must be a string").format(path=path))
    lrs = raw.get("lrs", {})
    hosts = lrs.get("approved_hosts", []) if isinstance(lrs, dict) else None
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise MoocError(_("{path}: [lrs] approved_hosts must be a list of host names").format(path=path))
    from packages.urls import host_of

    agent = raw.get("agent", {})
    mode = agent.get("mode", "") if isinstance(agent, dict) else None
    if mode not in ("", *AGENT_MODES):
        raise MoocError(
            _("{path}: [agent] mode must be one of {value} (or left out)").format(
                path=path, value=", ".join(AGENT_MODES)
            )
        )
    entries = raw.get("roster", [])
    if not isinstance(entries, list):
        raise MoocError(_("{path}: 'roster' must be an array of tables ([[roster]])").format(path=path))
    roster = []
    for n, entry in enumerate(entries, start=1):
        where = _("{path}: roster entry {n}").format(path=path, n=n)
        if not isinstance(entry, dict):
            raise MoocError(_("{where}: must be a table").format(where=where))
        try:
            name = clean_name(str(entry.get("name", "")))
            email = check_email(entry["email"]) if entry.get("email") else None
        except MoocError as err:
            raise MoocError(f"{where}: {err}") from None
        lid, account, pin = entry.get("id"), entry.get("account_id"), entry.get("pin")
        if not isinstance(lid, str) or not lid or not isinstance(account, str) or not account:
            raise MoocError(
                _("{where}: missing 'id' or 'account_id' (import the roster with `mooc lab roster`)").format(
                    where=where
                )
            )
        if pin is not None and not is_hash(pin):
            raise MoocError(_("{where}: 'pin' is not a PIN hash").format(where=where))
        roster.append(Learner(lid, name, email, account, "", pin or None, origin="school"))
    return Policy(
        path,
        one_line(school)[:120],
        tuple(host_of(h.strip()) for h in hosts if h.strip()),
        tuple(roster),
        str(mode),
        raw,
    )


def write(layout: Layout, raw: dict[str, Any]) -> None:
    """Replace the policy (the administrator's command); readable by every account."""
    import tomli_w

    from packages import fsutil

    path = policy_file(layout)
    raw = {"format": FORMAT, "version": VERSION, **{k: v for k, v in raw.items() if k not in ("format", "version")}}
    try:
        fsutil.write_atomic(path, tomli_w.dumps(raw).encode("utf-8"), mode=0o644)
    except PermissionError:
        raise MoocError(
            _("{path}: cannot write the lab policy: permission denied (run it as the administrator)").format(path=path)
        ) from None
    except OSError as err:
        raise MoocError(
            _("{path}: cannot write the lab policy: {strerror}").format(path=path, strerror=err.strerror)
        ) from None
    _cache.pop(path, None)


def approved_by_school(layout: Layout, host: str) -> bool:
    return host in load(layout).approved_hosts
