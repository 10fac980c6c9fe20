"""Build hook: the wheel carries docs/*.md as player/docs/ so that `mooc docs` works
on any install (docs/ stays the one source; pyproject.toml holds everything else)."""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithDocs(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib, "player", "docs")
        target.mkdir(parents=True, exist_ok=True)
        for page in sorted(Path(__file__).resolve().parent.joinpath("docs").glob("*.md")):
            shutil.copyfile(page, target / page.name)


setup(cmdclass={"build_py": BuildWithDocs})
