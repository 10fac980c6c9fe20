"""The one place that knows where mooc keeps things on disk.

Every other module asks a `Layout` for a path; none builds paths of its own. The
whole tree lives under one folder so that `MOOC_HOME` / `--home` can relocate
everything (tests, a portable USB stick, a lab image)::

    HOME/
      config.toml                 user settings: default learner, sync overrides, keymap
      credentials.toml            LRS credentials, mode 0600
      learners.toml               learners sharing this OS account (name, email, xAPI account id)
      courses/<id>/...            installed course packs (see packages/store.py)
      tmp/                        staging for atomic installs (same filesystem as courses/)
      downloads/                  partial downloads kept for resuming, with their validators
        packs/                    .mooc files rebuilt from installed courses (delta, serve)
      catalogs/                   cached catalogs, so `mooc search` works offline
      fetched/<id>/<version>/     media a flavoured pack left out, fetched one by one (`o` in the TUI)
      learners/<learner>/         one folder per learner sharing this OS account
        progress/<course-id>.jsonl   the learner's event log for that course
        first-screens/<course-id>.json   the lesson last read there, as painted (a cache)
      sync/<endpoint-key>/        per LRS endpoint: outbox.jsonl, acks.jsonl, status.json
      learners/<learner>/sync-consent.toml   LRS hosts the learner approved
      agent/                      the sync agent (`mooc sync --watch`): state.json, agent.lock

The system-wide store (`mooc install --system`, shared read-only by every account of a
lab PC) has the same `courses/` layout under `MOOC_SYSTEM_HOME` or platformdirs'
site data dir. Progress never goes there.

Folders mooc creates are never writable by other users, whatever the umask: the
user's data folders are 0700 (`make_dirs`), the system store's 0755 (readable by
every account, writable only by the administrator who installs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "mooc"
PRIVATE_DIR_MODE = 0o700  # a user's data: progress, settings, sync, caches
SHARED_DIR_MODE = 0o755  # the system-wide store: every account reads it


def make_dirs(path: Path, mode: int = PRIVATE_DIR_MODE) -> list[Path]:
    """mkdir -p where each folder created gets exactly `mode`, whatever the umask
    (mkdir, then chmod: a umask of 000 would otherwise leave it writable by anyone).
    Existing folders are left as they are. Returns the folders created, outermost first."""
    missing: list[Path] = []
    p = Path(path)
    while not os.path.lexists(p):
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    created: list[Path] = []
    for d in reversed(missing):
        try:
            os.mkdir(d, mode)
        except FileExistsError:
            if not d.is_dir():
                raise
            continue
        try:
            os.chmod(d, mode)
        except OSError:  # a filesystem without modes (FAT USB sticks): nothing to tighten
            pass
        created.append(d)
    return created


def default_home() -> Path:
    env = os.environ.get("MOOC_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def default_system_home() -> Path:
    env = os.environ.get("MOOC_SYSTEM_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import site_data_path

    return site_data_path(APP_NAME, appauthor=False)


@dataclass(frozen=True)
class Layout:
    home: Path
    system_home: Path

    @classmethod
    def default(cls, home: str | os.PathLike[str] | None = None) -> Layout:
        return cls(
            home=Path(home).expanduser() if home else default_home(),
            system_home=default_system_home(),
        )

    # settings
    @property
    def config_file(self) -> Path:
        return self.home / "config.toml"

    @property
    def credentials_file(self) -> Path:
        return self.home / "credentials.toml"

    # courses
    @property
    def courses_dir(self) -> Path:
        return self.home / "courses"

    @property
    def system_courses_dir(self) -> Path:
        return self.system_home / "courses"

    @property
    def tmp_dir(self) -> Path:
        return self.home / "tmp"

    def system_tmp_dir(self) -> Path:
        return self.system_home / "tmp"

    @property
    def downloads_dir(self) -> Path:
        return self.home / "downloads"

    @property
    def catalogs_dir(self) -> Path:
        return self.home / "catalogs"

    @property
    def catalogs_file(self) -> Path:
        """The list of added catalogs (name and URL), see packages/catalog_registry.py."""
        return self.catalogs_dir / "catalogs.json"

    def catalog_cache(self, name: str) -> Path:
        """The last good copy of catalog NAME, so `mooc search` works offline."""
        return self.catalogs_dir / f"{name}.catalog.json"

    @property
    def packs_cache_dir(self) -> Path:
        """.mooc archives rebuilt from installed trees: delta updates and `mooc serve`."""
        return self.downloads_dir / "packs"

    @property
    def fetched_dir(self) -> Path:
        """Media files a flavoured pack left out, fetched one at a time (packages/item_fetch.py)."""
        return self.home / "fetched"

    # learners and progress
    @property
    def learners_file(self) -> Path:
        """Registry of the learners sharing this OS account (player/learners.py)."""
        return self.home / "learners.toml"

    @property
    def learners_dir(self) -> Path:
        return self.home / "learners"

    def learner_dir(self, learner: str) -> Path:
        return self.learners_dir / learner

    def progress_dir(self, learner: str) -> Path:
        return self.learner_dir(learner) / "progress"

    def progress_file(self, learner: str, course_id: str) -> Path:
        return self.progress_dir(learner) / f"{course_id}.jsonl"

    # sync
    @property
    def sync_dir(self) -> Path:
        return self.home / "sync"

    def sync_endpoint_dir(self, key: str) -> Path:
        """Outbox, acknowledgements and status of one LRS endpoint (sync/outbox.py)."""
        return self.sync_dir / key

    def issuer_state_file(self, key: str) -> Path:
        """The provider's reading position in one LRS's certificate requests (sync/issuing.py)."""
        return self.home / "issuer" / f"{key}.json"

    def first_screen_file(self, learner: str, course_id: str) -> Path:
        """The first screen of the lesson this learner was reading in a course, as it was
        painted (player/first_screens.py): `mooc play` shows it again without rendering."""
        return self.learner_dir(learner) / "first-screens" / f"{course_id}.json"

    def consent_file(self, learner: str) -> Path:
        """The LRS hosts this learner approved sending records to (sync/consent.py)."""
        return self.learner_dir(learner) / "sync-consent.toml"

    # the sync agent (`mooc sync --watch`, sync/agent_loop.py)
    @property
    def agent_dir(self) -> Path:
        return self.home / "agent"

    @property
    def agent_state_file(self) -> Path:
        """What the agent did last (sync/agent_state.py): `mooc sync --agent-status` reads it."""
        return self.agent_dir / "state.json"

    @property
    def agent_lock_file(self) -> Path:
        """Held by the running agent: one agent per data folder, and `--agent-status` sees it."""
        return self.agent_dir / "agent.lock"
