"""A real small file system for full-disk tests: a tmpfs mounted under the test's folder.

We run as root here (and in CI), so mount(8) works; where it does not, the test that
asked for a disk skips and says why.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

MountFs = Callable[..., Path]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[MountFs]:
    """mount(name, size="3m", read_only=False): a real tmpfs, unmounted afterwards."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "3m", *, read_only: bool = False) -> Path:
        path = tmp_path / name
        path.mkdir()
        options = f"size={size},mode=0755" + (",ro" if read_only else "")
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True)
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (root and mount(8) needed): {r.stderr.strip()}")
        mounted.append(path)
        return path

    try:
        yield mount
    finally:
        for path in reversed(mounted):
            if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(path)], capture_output=True)
