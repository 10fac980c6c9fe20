"""A course with every kind of media a flavour treats differently, for the flavour tests.

`flavoured_course(dest)` copies the demo course (whose media are small PNG images
and a CSV) and adds, linked from its first lesson: a video-like file
(`media/lecture.mp4`, seeded random bytes: incompressible like real video), its
transcript (`media/lecture.vtt`, kept in every flavour), a PDF and an audio file
(left out of `text` only). The demo course itself stays as it is.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "packages" / "demo_course"

VIDEO = "media/lecture.mp4"
TRANSCRIPT = "media/lecture.vtt"
PDF = "media/notes.pdf"
AUDIO = "media/interview.mp3"
PHOTO = "media/lecture-hall.jpg"
IMAGES = tuple(sorted(f"media/{p.name}" for p in (DEMO / "media").glob("*.png")))
DATA = "media/study-plan.csv"

LESSON = "lessons/01-using-the-player.md"
QUIZ = "quizzes/player-practice.toml"  # its first prompt links to the video too
QUIZ_PROMPT = "marks the lesson as done?"
QUIZ_LINK = f" (As in [the lecture](../{VIDEO}).)"
EXTRA = f"""
## The lecture

[Watch the lecture](../{VIDEO}) and read [its transcript](../{TRANSCRIPT}).
The [lecture notes](../{PDF}) are there too, and [the interview](../{AUDIO} "an interview").

![A photo of the lecture hall](../{PHOTO})
"""


def flavoured_course(dest: Path, *, video_bytes: int = 300_000, seed: int = 7) -> Path:
    """Write the course to `dest` (a new folder) and return it."""
    shutil.copytree(DEMO, dest)
    rng = random.Random(seed)
    (dest / VIDEO).write_bytes(rng.randbytes(video_bytes))
    (dest / PDF).write_bytes(b"%PDF-1.4\n" + rng.randbytes(20_000))
    (dest / AUDIO).write_bytes(rng.randbytes(40_000))
    (dest / PHOTO).write_bytes(b"\xff\xd8\xff\xe0" + rng.randbytes(12_000))
    (dest / TRANSCRIPT).write_text(
        "WEBVTT\n\n00:00.000 --> 00:04.000\nWelcome to the lecture on open learning.\n", encoding="utf-8"
    )
    with open(dest / LESSON, "a", encoding="utf-8") as fh:
        fh.write(EXTRA)
    quiz = dest / QUIZ
    quiz.write_text(quiz.read_text(encoding="utf-8").replace(QUIZ_PROMPT, QUIZ_PROMPT + QUIZ_LINK), encoding="utf-8")
    return dest


def kept(flavour: str) -> set[str]:
    """The media files of `flavoured_course` a flavour keeps."""
    every = {VIDEO, TRANSCRIPT, PDF, AUDIO, PHOTO, DATA, *IMAGES}
    if flavour == "full":
        return every
    if flavour == "novideo":
        return every - {VIDEO}
    return {TRANSCRIPT, DATA}
