"""Plain mode, the teacher's report and the certificate page in the learner's language.

The real `mooc play --plain` walks the bundled demo course under the pseudo-locale
`qps` (every translated string inside ⟦ ⟧: an English word outside them escaped
translation) and under French (the same walk reads French and still grades right):
a lesson, the next item, the practice quiz answered wrong and then right, its
feedback, then the progress. The order question is shuffled per attempt, so the
driver answers by what is on screen, as tests/test_plain.py does.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MOOC_BIN, REPO, Homes
from tests.support.pseudo import escaped_lines, escaped_words
from tests.test_plain import Driver

DEMO = REPO / "packages" / "demo_course"
STEPS = ("Open the quiz", "Choose an option", "Go to the next question", "Submit the attempt")


def course_words() -> set[str]:
    """Every word of the demo course's own files: shown as the author wrote them."""
    words: set[str] = set()
    for path in DEMO.rglob("*"):
        if path.suffix in (".md", ".toml", ".csv"):
            words.update(re.findall(r"[A-Za-z][A-Za-z']*", path.read_text(encoding="utf-8")))
    return words


class PseudoDriver(Driver):
    """A prompt also ends with ⟧ under qps (the translated prompt is wrapped whole), and
    so may a line whose newline is still on its way: a prompt is where output pauses."""

    PROMPT = re.compile(r"(: |> |⟧)$")

    def read_prompt(self, timeout: float = 30) -> str:
        text = super().read_prompt(timeout)
        assert self.proc.stdout is not None
        while select.select([self.proc.stdout], [], [], 0.3)[0]:
            data = os.read(self.proc.stdout.fileno(), 65536)
            if not data:
                break
            more = data.decode("utf-8", "replace")
            self.transcript += more
            text += more
            if not self.PROMPT.search(text):
                text += super().read_prompt(timeout)
        return text


def walk(env: dict[str, str], yes: str) -> str:
    """Lesson 1, Enter (lesson done, practice quiz), an all-wrong attempt with a hint,
    r and `yes` for a new attempt, an all-right one, progress, quit: the transcript."""
    d = PseudoDriver([str(MOOC_BIN), "play", "--plain", "mooc-demo"], env)
    d.read_prompt()
    d.send("1")  # the first lesson
    d.read_prompt()
    d.send("")  # Enter: marks it done, opens the practice quiz
    d.read_prompt()
    d.send("2")  # `d`: wrong (choices are not shuffled in this quiz)
    d.read_prompt()
    d.send("?")  # the hint of the help-key question
    d.read_prompt()
    d.send("nope")
    d.read_prompt()
    d.send("alt+f4")
    screen = d.read_prompt()
    shown = order_items(screen)
    d.send(" ".join(str(shown[step]) for step in reversed(STEPS)))  # the order reversed: wrong
    d.read_prompt()
    d.send("true")
    d.read_prompt()  # the result of the first attempt, then the main prompt
    d.send("r")
    d.read_prompt()  # "Start a new attempt?"
    d.send(yes)
    d.read_prompt()
    d.send("1")
    d.read_prompt()
    d.send("question mark")
    d.read_prompt()
    d.send("ctrl+s")
    screen = d.read_prompt()
    shown = order_items(screen)
    d.send(" ".join(str(shown[step]) for step in STEPS))
    d.read_prompt()
    d.send("false")
    d.read_prompt()
    d.send("progress")
    d.read_prompt()
    d.send("q")
    rest, code = d.close()
    assert code == 0, d.transcript + d.stderr()
    return d.transcript


def order_items(screen: str) -> dict[str, int]:
    """The shown number of each step of the order question (matched by its first words)."""
    found = {}
    for number, text in re.findall(r"^  (\d+)\. (.+)$", screen, re.M):
        for step in STEPS:
            if text.startswith(step):
                found[step] = int(number)
    assert len(found) == 4, screen
    return found


@pytest.fixture
def learner(run_mooc: Any) -> None:
    r = run_mooc("learner", "add", "Ada")
    assert r.returncode == 0, r.stderr


def test_plain_demo_course_in_the_pseudo_locale_leaves_no_english(
    learner: None, mooc_home: Homes, tmp_path: Path
) -> None:
    out = walk(mooc_home.env(LANGUAGE="qps"), yes="y")
    own = course_words()
    typed = ["Ada", "nope", "alt+f4"]  # the learner's name, and what the learner typed (echoed here)
    assert escaped_words(out, allowed=typed, words=own) == [], "\n".join(escaped_lines(out, allowed=typed, words=own))
    assert "⟦" in out and "Lesson" not in out.replace("Lessons", "")  # translated, not merely unbracketed
    # The course's words hide common English words: no sentence of ours shows up unwrapped either.
    course_text = " ".join(p.read_text(encoding="utf-8") for p in DEMO.rglob("*") if p.suffix in (".md", ".toml"))
    for phrase in (
        "Marked done",
        "Your answer",
        "Question 1 of",
        "Start a new attempt",
        "Best so far",
        "pass mark",
        "Progress in",
        "Goodbye",
        "attempts left",
    ):
        assert phrase not in out or phrase in course_text, phrase


def test_the_pseudo_check_sees_english(learner: None, mooc_home: Homes) -> None:
    """The same walk in English has words the check finds: the test above can fail."""
    out = walk(mooc_home.env(LANGUAGE="en"), yes="y")
    escaped = escaped_words(out, allowed=["Ada"], words=course_words())
    assert "Goodbye" in escaped and "Marked" in escaped
    assert "Marked done: Using the player." in out and "Score: 5/5" in out  # English byte for byte


def test_plain_demo_course_in_french_reads_french_and_grades_right(learner: None, mooc_home: Homes) -> None:
    out = walk(mooc_home.env(LANGUAGE="fr"), yes="o")  # o for oui
    nb = "\u00a0"
    assert f"Cours{nb}: Learning in the open: a short course on MOOCs" in out  # course text untranslated
    assert f"Leçon{nb}: Using the player" in out
    assert f"Marqué terminé{nb}: Using the player." in out
    assert f"Question 1 sur 5 (1 point){nb}:" in out
    assert f"Indice{nb}: It is the key you press when you have a question." in out
    assert f"Votre réponse, un nombre de 1 à 4{nb}: " in out and f"Vrai ou faux{nb}: " in out
    assert f"Commencer une nouvelle tentative{nb}? Tapez o ou n{nb}: " in out
    first, second = out.split("Commencer une nouvelle tentative", 1)
    assert f"Score{nb}: 0/5" in first and f"Question 1{nb}: faux." in first  # the wrong attempt
    assert f"Score{nb}: 5/5" in second and f"Question 1{nb}: juste." in second  # the right one
    assert f"Réussi{nb}: 100{nb}%" in second
    assert f"Progression dans Learning in the open: a short course on MOOCs{nb}:" in out
    assert "Au revoir. Votre progression est enregistrée." in out
    for english in ("Marked done", "Your answer", "Goodbye", "Question 1 of", "pass mark"):
        assert english not in out, english

    # the teacher's report of that walk: its headings in French, the course's words as written
    report = subprocess.run(
        [str(MOOC_BIN), "report"], capture_output=True, text=True, env=mooc_home.env(LANGUAGE="fr"), timeout=120
    )
    assert report.returncode == 0, report.stderr
    lines = report.stdout.splitlines()
    assert any(re.match(r"Apprenant +Leçons Score Réussi Certificat +Actif Dernière visite$", ln) for ln in lines)
    assert re.search(r"^Ada +1/6 +0\xa0% non +pas encore ", report.stdout, re.M)
    assert f"1 apprenant, commencé{nb}: 1, réussi{nb}: 0{nb}; score de réussite 60{nb}%" in report.stdout
    assert f"Quiz notés{nb}: meilleur score (tentatives)" in report.stdout
    assert "Q1 Practice: the player's keys (player-practice, exercice)" in report.stdout
    assert f"mauvaise réponse la plus fréquente{nb}: «{nb}true{nb}» (une fois)" in report.stdout
    for english in ("Learner", "Lessons", "Last active", "Best scores", "wrong most often", "attempted"):
        assert english not in report.stdout, english


def verified(expires: bool) -> Any:
    from sync.credential import Verified

    return Verified(
        issuer="did:key:z6MkExample",
        issuer_name="École ouverte",
        subject="ada@example.org",
        learner_name="Adélaïde Ñúñez",
        course_id="mooc-demo",
        course_title="Apprendre à découvert",
        achievement="passed",
        score="87.5%",
        issued_at=datetime(2026, 12, 4, 10, 0, tzinfo=timezone.utc),
        expires_at=datetime(2027, 8, 1, tzinfo=timezone.utc) if expires else None,
    )


def page_text(pdf: bytes) -> str:
    """The text drawn with a core font (Latin-1 strings in the content streams), in order."""
    said = []
    for body in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            content = zlib.decompress(body)
        except zlib.error:
            continue
        for literal in re.findall(rb"\(((?:[^()\\]|\\.)*)\) ?Tj", content):
            said.append(re.sub(rb"\\(.)", rb"\1", literal).decode("latin-1"))
    return " ".join(said)


def test_certificate_page_in_french_with_the_core_font(french: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """No Unicode font: Helvetica, whose Latin-1 prints French accents as they are."""
    from player import certificate_pdf

    monkeypatch.delenv("MOOC_PDF_FONT", raising=False)
    monkeypatch.setattr(certificate_pdf, "FONT_CANDIDATES", ())
    pdf, notes = certificate_pdf.render(verified(expires=True), "header.payload.signature", "1.0.0")
    assert pdf.startswith(b"%PDF-")
    assert notes == [
        "aucune police Unicode trouvée (indiquez un fichier .ttf dans MOOC_PDF_FONT)\u00a0: les lettres absentes "
        "de Latin-1 s'impriment en «\u00a0?\u00a0»"
    ]
    text = page_text(pdf)
    for words in (
        "Certificat",
        "Ce certificat atteste que",
        "Adélaïde Ñúñez",
        "a réussi le cours",
        "Apprendre à découvert",
        "score 87.5% - délivré le 04 décembre 2026 - valable jusqu'au 01 août 2027",
        "Délivré par École ouverte",
        "Scannez le code",
    ):
        assert words in text, (words, text)
    assert "This certifies" not in text and "December" not in text


def test_certificate_page_in_french_with_a_unicode_font(french: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from player import certificate_pdf

    if certificate_pdf.unicode_font() is None:  # the machine has none: the core-font test above covers it
        monkeypatch.setenv("MOOC_PDF_FONT", "/nonexistent.ttf")
    pdf, notes = certificate_pdf.render(verified(expires=False), "header.payload.signature", "1.0.0")
    assert pdf.startswith(b"%PDF-") and b"/Title" in pdf
    assert all("police" in note for note in notes)  # any note is said in French


def test_a_locked_item_and_an_unknown_one_are_refused_in_french(learner: None, run_mooc: Any) -> None:
    nb = "\u00a0"
    r = run_mooc("play", "--plain", "mooc-demo", input="6\nq\n", env={"LANGUAGE": "fr"})
    assert r.returncode == 0, r.stderr
    said = (
        f"«{nb}Remembering what you learn{nb}» est verrouillé{nb}: réussissez d'abord «{nb}Quiz: Getting started{nb}»"
    )
    assert said in r.stdout  # one cleaned line, and its no-break spaces kept
    assert f"Module 2{nb}: Studying well in the open (verrouillé{nb}: réussissez d'abord" in r.stdout
    r = run_mooc("play", "--plain", "mooc-demo", input="nope\nq\n", env={"LANGUAGE": "fr"})
    assert "Aucun élément 'nope'. Tapez un numéro du plan, ou h pour l'aide." in r.stdout
