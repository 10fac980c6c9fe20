"""Learners sharing one OS account, and which one is studying now.

A lab PC has one login and many students; a home user has one learner and should
never hear about learners at all. So:

- the registry ``layout.learners_file`` lists learners (TOML, written atomically
  under a lock; format below);
- `Learners.current()` resolves who is learning: ``--learner`` / ``MOOC_LEARNER``,
  else the configured default (``[learners] default`` in config.toml), else the only
  learner, else — nobody set up yet — a learner named after the OS user, created
  silently;
- `Learners.needs_choice()` tells the TUI to ask "who is learning?" (lab mode).

Registry format::

    format = "mooc-learners"
    version = 1

    [[learners]]
    id = "amina"                  # slug of the name; names the progress folder
    name = "Amina"
    email = "amina@example.org"   # optional; used on certificates
    account_id = "3f1c…"          # random UUID fixed at creation: the xAPI account name
    created = "2025-01-31T09:00:00.000Z"
    pin = "scrypt$16384$8$1$…$…"  # optional: a salted hash of the learner's PIN (player/pin.py)
    language = "fr"               # optional: the language mooc speaks to this learner
"""

from __future__ import annotations

import builtins
import os
import uuid
from dataclasses import replace
from typing import Any

from packages.errors import MoocError
from packages.i18n import _
from packages.identifiers import LEARNER_ID_RE
from packages.layout import Layout
from packages.safe_text import one_line
from player.config import load_config, locked, read_toml, update_config, write_atomic
from player.events import now_iso
from player.learner_identity import MAX_NAME, Learner, check_email, clean_name, slug
from player.ui_language import is_language_tag

FORMAT = "mooc-learners"
VERSION = 1


def new_learner(
    learners: list[Learner],
    name: str,
    email: str | None,
    pin: str | None = None,
    account_id: str | None = None,
    origin: str = "local",
) -> Learner:
    """A learner that can join `learners`: a name none of them has, a unique id."""
    for other in learners:
        if other.name.casefold() == name.casefold():
            raise MoocError(_("a learner named {name} already exists (id {id})").format(name=repr(name), id=other.id))
        if account_id and other.account_id == account_id:
            raise MoocError(
                _("{name} (id {id}) already has account id {account_id}").format(
                    name=repr(other.name), id=other.id, account_id=account_id
                )
            )
    return Learner(
        id=Learners._unique_id(learners, slug(name)),
        name=name,
        email=email,
        account_id=account_id or str(uuid.uuid4()),
        created=now_iso(),
        pin=pin,
        origin=origin,
    )


def login_name() -> str:
    """The OS login name, as a learner name (the default offered for the first learner)."""
    import getpass

    try:
        user = getpass.getuser()
    except Exception:  # no USER/LOGNAME and no passwd entry (some containers)
        user = "learner"
    return one_line(user)[:MAX_NAME] or "learner"


def _is_pin_hash(value: object) -> bool:
    from player.pin import is_hash

    return is_hash(value)


class Learners:
    """The learners registry of one data folder."""

    def __init__(self, layout: Layout, *, own: bool = True) -> None:
        self.layout = layout
        self.path = layout.learners_file
        self.own = own  # False: another account's registry, read (never written) by an administrator

    # ------------------------------------------------------------------ reading

    def list(self) -> list[Learner]:
        return self._read()

    def get(self, name_or_id: str) -> Learner:
        """A learner by id or name (case-insensitive); a clear error with suggestions."""
        found = self._find(self._read(), name_or_id)
        if found is not None:
            return found
        raise self._unknown(name_or_id)

    def default_id(self) -> str | None:
        return load_config(self.layout).get("learners", {}).get("default")

    def current(self, requested: str | None = None) -> Learner:
        """Who is learning: the one requested (--learner, else MOOC_LEARNER), else the
        configured default, else the only learner, else a new learner named after the
        OS user (created silently: a single user never has to set anything up)."""
        requested = requested or os.environ.get("MOOC_LEARNER") or None
        if requested:
            return self.get(requested)
        learners = self._read()
        default = self.default_id()
        if default:
            for learner in learners:
                if learner.id == default:
                    return learner
        if len(learners) == 1:
            return learners[0]
        if not learners:
            return self._ensure_os_user()
        names = ", ".join(one_line(lr.name) for lr in learners)
        raise MoocError(
            _(
                "several learners share this account ({names}): say who is learning with --learner NAME, "
                "or set a default with `mooc learner use NAME`"
            ).format(names=names)
        )

    def needs_choice(self, requested: str | None = None) -> bool:
        """True when several learners exist and nobody was requested: the TUI asks who
        is learning. A configured default does not skip the question (on a lab PC one
        student's `mooc learner use` must not make the next student study as them);
        the chooser should preselect it."""
        if requested or os.environ.get("MOOC_LEARNER"):
            return False
        return len(self._read()) > 1

    # ------------------------------------------------------------------ changing

    def add(
        self,
        name: str,
        email: str | None = None,
        *,
        pin: str | None = None,
        account_id: str | None = None,
        language: str | None = None,
    ) -> Learner:
        """A new learner; `pin` is the hash (player/pin.py); `account_id` keeps the
        identity of a learner carried from another PC (a new random one otherwise);
        `language` is theirs (checked by player/ui_language.py `check_language`)."""
        name = clean_name(name)
        email = check_email(email) if email else None
        with locked(self.path):
            learners = self._read()
            learner = self._new(learners, name, email, pin, account_id)
            if language:
                learner = replace(learner, language=language)
            self._write([*learners, learner])
        return learner

    def _new(
        self, learners: builtins.list[Learner], name: str, email: str | None, pin: str | None, account_id: str | None
    ) -> Learner:
        return new_learner(learners, name, email, pin, account_id)

    def edit(
        self,
        name_or_id: str,
        *,
        name: str | None = None,
        email: str | None = None,
        clear_email: bool = False,
        language: str | None = None,
        clear_language: bool = False,
    ) -> Learner:
        """Change a learner's name, email or language. The id (their progress folder)
        and the account id (their xAPI identity) never change."""
        new_name = clean_name(name) if name is not None else None
        new_email = check_email(email) if email else None
        with locked(self.path):
            learners = self._read()
            learner = self._local(learners, name_or_id)
            if new_name is not None:
                for other in learners:
                    if other.id != learner.id and other.name.casefold() == new_name.casefold():
                        raise MoocError(
                            _("a learner named {new_name} already exists (id {id})").format(
                                new_name=repr(new_name), id=other.id
                            )
                        )
            changed = replace(
                learner,
                name=new_name if new_name is not None else learner.name,
                email=None if clear_email else (new_email or learner.email),
                language=None if clear_language else (language or learner.language),
            )
            self._write([changed if lr.id == learner.id else lr for lr in learners])
        return changed

    def set_pin(self, name_or_id: str, pin_hash: str | None) -> Learner:
        """Set (a hash from player/pin.py) or clear (None) a learner's PIN."""
        with locked(self.path):
            learners = self._read()
            learner = self._local(learners, name_or_id)
            changed = replace(learner, pin=pin_hash)
            self._write([changed if lr.id == learner.id else lr for lr in learners])
        return changed

    def update_all(self, change: Any) -> builtins.list[Learner]:
        """`change(learners) -> learners`, under the lock, written once (roster imports)."""
        with locked(self.path):
            learners = change(self._read())
            self._write(learners)
        return learners

    def use(self, name_or_id: str) -> Learner:
        """Make this learner the default of this data folder."""
        learner = self.get(name_or_id)

        def set_default(config: dict[str, Any]) -> None:
            config.setdefault("learners", {})["default"] = learner.id

        update_config(self.layout, set_default)
        return learner

    def remove(self, name_or_id: str, *, purge: bool = False) -> Learner:
        """Forget a learner. Their progress files stay unless `purge` (re-adding the
        same name finds them again)."""
        with locked(self.path):
            learners = self._read()
            learner = self._local(learners, name_or_id)
            self._write([lr for lr in learners if lr.id != learner.id])
        if self.default_id() == learner.id:

            def clear_default(config: dict[str, Any]) -> None:
                if config.get("learners", {}).get("default") == learner.id:
                    del config["learners"]["default"]

            update_config(self.layout, clear_default)
        if purge:
            import shutil

            folder = self.layout.learner_dir(learner.id)
            try:
                shutil.rmtree(folder)
            except FileNotFoundError:
                pass
            except OSError as err:
                raise MoocError(
                    _("{folder}: cannot delete progress: {strerror}").format(folder=folder, strerror=err.strerror)
                ) from None
        return learner

    # ------------------------------------------------------------------ internals

    def _ensure_os_user(self) -> Learner:
        name = login_name()
        with locked(self.path):
            learners = self._read()
            if learners:  # another mooc process got here first
                return learners[0]
            learner = Learner(slug(name), name, None, str(uuid.uuid4()), now_iso())
            self._write([learner])
        return learner

    def _local(self, learners: builtins.list[Learner], name_or_id: str) -> Learner:
        """A learner this account may change: not one of the school's roster."""
        learner = self._find(learners, name_or_id)
        if learner is None:
            raise self._unknown(name_or_id)
        if learner.origin == "school":
            from player.lab_policy import policy_file

            raise MoocError(
                _(
                    "{name} is on the school's roster ({value}): the administrator changes it with `mooc lab roster`"
                ).format(name=learner.name, value=policy_file(self.layout))
            )
        return learner

    @staticmethod
    def _unique_id(learners: builtins.list[Learner], base: str) -> str:
        taken = {lr.id for lr in learners}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    @staticmethod
    def _find(learners: builtins.list[Learner], name_or_id: str) -> Learner | None:
        wanted = one_line(name_or_id)
        for learner in learners:
            if learner.id == wanted:
                return learner
        for learner in learners:
            if learner.name.casefold() == wanted.casefold():
                return learner
        for learner in learners:
            if learner.id == slug(wanted):
                return learner
        return None

    def _unknown(self, name_or_id: str) -> MoocError:
        learners = self._read()
        wanted = one_line(name_or_id)
        if not learners:
            return MoocError(
                _("no learner {wanted} yet; add one with `mooc learner add {wanted}`").format(wanted=repr(wanted))
            )
        keys = {lr.id: lr for lr in learners} | {lr.name.casefold(): lr for lr in learners}
        keys |= {part: lr for lr in learners for part in lr.id.split("-")}
        import difflib  # only for a name not found: suggestions

        close = difflib.get_close_matches(wanted.casefold(), list(keys), n=1, cutoff=0.6)
        if not close:
            close = [k for k in keys if k.startswith(slug(wanted))][:1]
        hint = _("; did you mean {name}?").format(name=repr(keys[close[0]].name)) if close else ""
        known = ", ".join(lr.name for lr in learners)
        return MoocError(
            _("no learner {wanted}{hint} (learners: {known}; add one with `mooc learner add`)").format(
                wanted=repr(wanted), hint=hint, known=known
            )
        )

    def _read(self) -> builtins.list[Learner]:
        """This account's learners, then the school roster's that none of them
        already is (same id, account id or name): the lab policy (player/lab_policy.py)."""
        local = self._read_registry()
        from player.lab_policy import load

        roster = load(self.layout).roster
        if not roster:
            return local
        taken = {lr.id for lr in local} | {lr.account_id for lr in local} | {lr.name.casefold() for lr in local}
        return local + [lr for lr in roster if not {lr.id, lr.account_id, lr.name.casefold()} & taken]

    def _read_registry(self) -> builtins.list[Learner]:
        from packages.datafile import load_toml

        raw = read_toml(self.path) if self.own else load_toml(self.path, own=False)
        if not raw:
            return []
        version = raw.get("version", VERSION)
        if raw.get("format", FORMAT) != FORMAT:
            raise MoocError(
                _("{path}: not a mooc learners file (format = {value})").format(
                    path=self.path, value=repr(raw.get("format"))
                )
            )
        if not isinstance(version, int) or version > VERSION:
            raise MoocError(
                _("{path}: learners format version {version} is newer than this mooc reads; upgrade mooc").format(
                    path=self.path, version=repr(version)
                )
            )
        entries = raw.get("learners", [])
        if not isinstance(entries, list):
            raise MoocError(_("{path}: 'learners' must be an array of tables ([[learners]])").format(path=self.path))
        out: list[Learner] = []
        seen: dict[str, int] = {}  # id and account id -> the learner number that has it
        for n, entry in enumerate(entries, start=1):
            where = f"{self.path}: learner {n}"
            if not isinstance(entry, dict):
                raise MoocError(_("{where}: must be a table").format(where=where))
            for key in ("id", "name", "account_id"):
                if not isinstance(entry.get(key), str) or not entry[key]:
                    raise MoocError(_("{where}: missing or invalid {key}").format(where=where, key=repr(key)))
            if not LEARNER_ID_RE.match(entry["id"]):
                raise MoocError(_("{where}: invalid id {entry}").format(where=where, entry=repr(one_line(entry["id"]))))
            email = entry.get("email")
            if email is not None and not isinstance(email, str):
                raise MoocError(_("{where}: 'email' must be a string").format(where=where))
            language = entry.get("language")
            if language is not None and (not isinstance(language, str) or not is_language_tag(language)):
                raise MoocError(_("{where}: 'language' must be a language code such as \"fr\"").format(where=where))
            pin = entry.get("pin")
            if pin is not None and not _is_pin_hash(pin):
                raise MoocError(
                    _("{where}: 'pin' is not a PIN hash (set one with `mooc learner pin`)").format(where=where)
                )
            # One id is one progress folder and one account id one xAPI identity: two
            # learners sharing either would study, and be graded, as one.
            for key in ("id", "account_id"):
                first = seen.setdefault(f"{key}:{entry[key]}", n)
                if first != n:
                    raise MoocError(
                        _(
                            "{where}: {key} {entry} is already learner {first}'s; each learner needs their own (edit "
                            "{path})"
                        ).format(where=where, key=key, entry=repr(one_line(entry[key])), first=first, path=self.path)
                    )
            out.append(
                Learner(
                    id=entry["id"],
                    name=one_line(entry["name"]) or entry["id"],
                    email=one_line(email) if email else None,
                    account_id=entry["account_id"],
                    created=str(entry.get("created", "")),
                    pin=pin or None,
                    language=language or None,
                )
            )
        return out

    def _write(self, learners: builtins.list[Learner]) -> None:
        import tomli_w

        doc = {
            "format": FORMAT,
            "version": VERSION,
            "learners": [lr.to_dict() for lr in learners if lr.origin == "local"],
        }
        write_atomic(self.path, tomli_w.dumps(doc).encode("utf-8"))
