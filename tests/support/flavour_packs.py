"""A course with media of every flavour kind, and its three flavoured packs, for the
flavour tests and benchmarks (issue 22).

`media_course(dest)` writes a generated pack source (tests/support/genpack.py: its
`media_bytes` are `.bin` files, which only the text flavour leaves out) plus videos
(left out of novideo and text), an image and a transcript (kept by every flavour),
all linked from the first lesson, and a one-question quiz `check` (answer: true).
`three_flavours(src, out)` builds the text, novideo
and full packs into OUT with their file names (packages.flavours.pack_file_name).
"""

from __future__ import annotations

import random
from pathlib import Path


def media_course(
    dest: Path,
    *,
    lessons: int = 30,
    questions: int = 0,
    media_bytes: int = 600_000,
    videos: tuple[int, ...] = (900_000, 400_000),
    image_bytes: int = 50_000,
    course_id: str = "media-course",
    version: str = "1.0.0",
    seed: int = 3,
) -> Path:
    from tests.support.genpack import generate_pack

    src = generate_pack(
        dest, lessons=lessons, questions=questions, media_bytes=media_bytes, course_id=course_id, version=version
    )
    rng = random.Random(seed)
    (src / "media").mkdir(exist_ok=True)
    links = []
    for i, size in enumerate(videos):
        (src / "media" / f"clip-{i}.mp4").write_bytes(rng.randbytes(size))
        (src / "media" / f"clip-{i}.vtt").write_text(f"WEBVTT\n\n00:00.000 --> 00:01.000\nClip {i} says hello.\n")
        links += [f"[Clip {i}](../media/clip-{i}.mp4)", f"[Clip {i} transcript](../media/clip-{i}.vtt)"]
    if image_bytes:
        (src / "media" / "diagram.png").write_bytes(rng.randbytes(image_bytes))
        links.append("![A diagram](../media/diagram.png)")
    first = src / "lessons" / "l00000.md"
    first.write_text(first.read_text() + "\n" + "\n\n".join(links) + "\n")
    (src / "quizzes" / "check.toml").write_text(CHECK_QUIZ, encoding="utf-8")
    with open(src / "course.toml", "a", encoding="utf-8") as fh:  # an item of the last module
        fh.write('\n  [[modules.items]]\n  id = "check"\n  kind = "quiz"\n  file = "quizzes/check.toml"\n')
    return src


# A quiz plain mode answers with one line ("true"): `mooc play --plain COURSE check`.
CHECK_QUIZ = """title = "Check"
max_attempts = 0

[[questions]]
id = "media-kept"
type = "truefalse"
prompt = "Moving to another flavour keeps your progress."
answer = true
"""


def three_flavours(src: Path, out: Path) -> dict[str, Path]:
    """Build text, novideo and full of SRC into OUT: {flavour: path}."""
    from packages.building import build_flavours

    return {r.flavour: r.path for r in build_flavours(src, out)}


def omitted_bytes(pack: Path) -> int:
    """What a flavoured pack lacks: the total size of its manifest's omitted files."""
    import zipfile

    from packages.manifest import MANIFEST_NAME, Manifest

    with zipfile.ZipFile(pack) as zf:
        manifest = Manifest.from_json(zf.read(MANIFEST_NAME), str(pack))
    return sum(e.size for e in manifest.omitted.values())
