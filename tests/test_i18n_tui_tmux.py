"""`LANG=fr_FR.UTF-8 mooc play` in a real terminal at 80x24 (issue 19): tmux on a
private socket, the installed command, the language from LANG alone (LANGUAGE empty, as
on a French desktop), the screen read back with capture-pane."""

from __future__ import annotations

import shlex
from typing import Any

from tests.conftest import MOOC_BIN
from tests.test_tmux_play import tmux, wait_screen  # noqa: F401  (the fixture)

NBSP = "\u00a0"


def test_french_library_and_lesson_at_80x24(tmux: Any, mooc_home: Any) -> None:  # noqa: F811
    env = (
        f"MOOC_HOME={shlex.quote(str(mooc_home.home))} MOOC_SYSTEM_HOME={shlex.quote(str(mooc_home.system))} "
        "LANG=fr_FR.UTF-8 LANGUAGE= LC_ALL= LC_MESSAGES= TERM=xterm-256color"
    )
    tmux("new-session", "-d", "-x", "80", "-y", "24", f"env {env} {shlex.quote(str(MOOC_BIN))} play; sleep 30")
    wait_screen(tmux, "Qui apprend")  # the first start asks, in French
    tmux("send-keys", "Enter")
    hint = f"Entrée{NBSP}: ouvrir · u{NBSP}: changer d’apprenant · ?{NBSP}: touches · ctrl+q{NBSP}: quitter"
    screen = wait_screen(tmux, hint)  # whole on one row (once the welcome toast has gone from over it)
    rows = screen.splitlines()
    assert "(démo)" in screen and "dernière étude" in screen
    assert "Vos cours" in screen
    assert rows[-1].split() == ["^q", "Quitter", "?", "Aide", "g", "Progression", "^p", "Palette", "de", "commandes"]
    tmux("send-keys", "Enter")  # the first course: a demo course (the French one, where mooc ships it)
    screen = wait_screen(tmux, "Leçon")
    bar = screen.splitlines()[-1]
    assert bar.split() == ["n", "Suiv.", "p", "Préc.", "/", "Chercher", "o", "Liens", "échap", "Retour"] + [
        "^q",
        "Quitter",
        "?",
        "Aide",
        "g",
        "Progression",
    ], screen
    assert "Leçon" in screen.splitlines()[1]
    tmux("send-keys", "C-q")
