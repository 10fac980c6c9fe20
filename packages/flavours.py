"""Pack flavours: which files the `text`, `novideo` and `full` packs of one course keep.

One course, one version, three packs sized for the link (issue 22; the format's
"Flavours" section in docs/format.md). Only files under `media/` are ever left out,
chosen by their extension (case-insensitive):

- video (`.mp4 .m4v .webm .ogv .mov .mkv .avi .mpg .mpeg`): left out of `novideo`
  and `text`;
- transcripts, captions and small text data (`.vtt .srt .txt .csv .tsv .json .md`):
  kept in every flavour;
- everything else under `media/` (images, PDFs, audio, archives, ...): left out of
  `text` only.

course.toml, lessons and quizzes are the same in every flavour: progress, item ids
and statements do not depend on the flavour, and what separates two flavours is
exactly the media the smaller one leaves out.
"""

from __future__ import annotations

from packages.errors import MoocError
from packages.i18n import N_, _, ngettext

FULL = "full"
FLAVOURS = ("text", "novideo", FULL)  # small -> big
MEDIA_PREFIX = "media/"

VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".webm", ".ogv", ".mov", ".mkv", ".avi", ".mpg", ".mpeg"})
KEPT_SUFFIXES = frozenset({".vtt", ".srt", ".txt", ".csv", ".tsv", ".json", ".md"})
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff", ".avif", ".ico", ".heic"}
)
AUDIO_SUFFIXES = frozenset({".mp3", ".ogg", ".oga", ".opus", ".wav", ".flac", ".m4a", ".aac", ".weba", ".mid"})


def suffix(path: str) -> str:
    """The extension of a pack path, lower case, with its dot ("" for none)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def check_flavour(name: object, where: str = "flavour") -> str:
    """`name` if it is a flavour; else MoocError, one line naming `where` and the choices."""
    if isinstance(name, str) and name in FLAVOURS:
        return name
    shown = repr(name)[:40]
    raise MoocError(
        _("{where}: unknown flavour {shown} (choose text, novideo or full)").format(where=where, shown=shown)
    )


def rank(flavour: str) -> int:
    """0 for text, 1 for novideo, 2 for full: a bigger flavour holds every file of a smaller one."""
    return FLAVOURS.index(flavour)


def keeps(flavour: str, path: str) -> bool:
    """Whether the `flavour` pack holds the file `path` (a pack path)."""
    if flavour == FULL or not path.startswith(MEDIA_PREFIX):
        return True
    ext = suffix(path)
    if ext in KEPT_SUFFIXES:
        return True
    if flavour == "novideo":
        return ext not in VIDEO_SUFFIXES
    return False  # text: media other than transcripts and text data


def kind_of(path: str) -> str:
    """The word a learner reads for a file: video, image, audio, PDF or file."""
    ext = suffix(path)
    if ext in VIDEO_SUFFIXES:
        return "video"
    if ext in IMAGE_SUFFIXES:
        return "image"
    if ext in AUDIO_SUFFIXES:
        return "audio"
    if ext == ".pdf":
        return "PDF"
    return "file"


_UNITS = {"kB": N_("kB"), "MB": N_("MB"), "GB": N_("GB"), "TB": N_("TB")}
_KIND_WORDS = {"video": N_("video"), "image": N_("image"), "audio": N_("audio"), "PDF": N_("PDF"), "file": N_("file")}


def human_size(n: int) -> str:
    """A size as people say it, in decimal units: "820 bytes", "240 kB", "1.4 MB", "14 MB"."""
    if n < 1000:
        return ngettext("{n} byte", "{n} bytes", n).format(n=n)
    value = float(n)
    for unit in ("kB", "MB", "GB", "TB"):
        value /= 1000
        if value < 999.5 or unit == "TB":
            return (_("{value:.1f} {unit}") if value < 9.95 else _("{value:.0f} {unit}")).format(
                value=value, unit=_(_UNITS[unit])
            )
    return f"{n} bytes"  # pragma: no cover


def pack_file_name(course_id: str, version: str, flavour: str = FULL) -> str:
    """`<id>-<version>.mooc` for the full pack, `<id>-<version>.<flavour>.mooc` for the others."""
    return f"{course_id}-{version}.mooc" if flavour == FULL else f"{course_id}-{version}.{flavour}.mooc"


def placeholder(path: str, size: int) -> str:
    """What a lesson shows for a file its pack left out: "video, 14 MB: in the full pack"."""
    return _("{kind}, {size}: in the full pack").format(kind=_(_KIND_WORDS[kind_of(path)]), size=human_size(size))


def _counted(kind: str, count: int) -> str:
    """`count` files of `kind`, as "1 video", "6 images"."""
    if kind == "video":
        return ngettext("{n} video", "{n} videos", count).format(n=count)
    if kind == "image":
        return ngettext("{n} image", "{n} images", count).format(n=count)
    if kind == "audio":
        return ngettext("{n} audio file", "{n} audio files", count).format(n=count)
    if kind == "PDF":
        return ngettext("{n} PDF", "{n} PDFs", count).format(n=count)
    return ngettext("{n} other file", "{n} other files", count).format(n=count)


def left_out_summary(sizes: dict[str, int]) -> str:
    """What a flavour leaves out in a few words, from {path: size}:
    "nothing", "7 files, 15 MB: 1 video, 6 images"."""
    if not sizes:
        return _("nothing")
    counts: dict[str, int] = {}
    for path in sizes:
        kind = kind_of(path)
        counts[kind] = counts.get(kind, 0) + 1
    n = len(sizes)
    kinds = ", ".join(_counted(kind, count) for kind, count in sorted(counts.items(), key=lambda kc: (-kc[1], kc[0])))
    return ngettext("{n} file, {size}: {kinds}", "{n} files, {size}: {kinds}", n).format(
        n=n, size=human_size(sum(sizes.values())), kinds=kinds
    )
