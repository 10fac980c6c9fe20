"""Draw the demo course's diagrams as small PNGs with only zlib/struct (no image libraries)."""

import math
import struct
import sys
import zlib
from pathlib import Path

OUT = Path(sys.argv[1])


class Canvas:
    def __init__(self, w, h, bg=(255, 255, 255)):
        self.w, self.h = w, h
        self.px = [[bg] * w for _ in range(h)]

    def dot(self, x, y, c):
        x, y = int(round(x)), int(round(y))
        if 0 <= x < self.w and 0 <= y < self.h:
            self.px[y][x] = c

    def rect(self, x0, y0, x1, y1, c, fill=False, t=2):
        for y in range(y0, y1 + 1):
            for x in range(x0, x1 + 1):
                if fill or x < x0 + t or x > x1 - t or y < y0 + t or y > y1 - t:
                    self.dot(x, y, c)

    def line(self, x0, y0, x1, y1, c, t=2):
        n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        for i in range(n + 1):
            x = x0 + (x1 - x0) * i / n
            y = y0 + (y1 - y0) * i / n
            for dx in range(-(t // 2), t - t // 2):
                for dy in range(-(t // 2), t - t // 2):
                    self.dot(x + dx, y + dy, c)

    def circle(self, cx, cy, r, c, fill=True):
        for y in range(cy - r, cy + r + 1):
            for x in range(cx - r, cx + r + 1):
                d = math.hypot(x - cx, y - cy)
                if d <= r and (fill or d >= r - 2):
                    self.dot(x, y, c)

    def arrow(self, x0, y0, x1, y1, c):
        self.line(x0, y0, x1, y1, c, 3)
        a = math.atan2(y1 - y0, x1 - x0)
        for s in (-1, 1):
            self.line(x1, y1, x1 - 10 * math.cos(a + s * 0.5), y1 - 10 * math.sin(a + s * 0.5), c, 3)

    def save(self, path):
        raw = b"".join(b"\x00" + bytes(v for p in row for v in p) for row in self.px)

        def chunk(tag, data):
            return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)

        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
        png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
        path.write_bytes(png)


INK, GREY, BLUE, GREEN, ORANGE, RED, LIGHT = (
    (40, 40, 40),
    (170, 170, 170),
    (40, 100, 200),
    (40, 150, 80),
    (230, 140, 30),
    (200, 60, 50),
    (225, 235, 250),
)

# 1. The player's screen: outline on the left, lesson on the right, footer of keys.
c = Canvas(320, 200)
c.rect(4, 4, 315, 195, INK)
c.rect(4, 4, 315, 20, BLUE, fill=True)  # header
c.rect(4, 180, 315, 195, GREY, fill=True)  # footer with keys
for i in range(8):
    c.rect(10 + i * 38, 184, 38 + i * 38, 191, INK, fill=True)
c.rect(10, 26, 110, 174, INK)  # outline pane
for i, indent in enumerate([0, 10, 10, 10, 0, 10, 10, 10]):
    y = 36 + i * 16
    c.rect(18 + indent, y, 100, y + 6, GREEN if i in (1, 2) else GREY, fill=True)
c.rect(14 + 10, 66, 106, 80, BLUE)  # cursor on the third row
c.rect(116, 26, 309, 174, INK)  # lesson pane
c.rect(124, 34, 230, 44, INK, fill=True)  # heading
for i in range(7):
    c.rect(124, 54 + i * 14, 300 - (i * 23) % 70, 58 + i * 14, GREY, fill=True)
c.save(OUT / "player-layout.png")

# 2. Two shapes of MOOC: a hub (xMOOC) and a network (cMOOC).
c = Canvas(320, 160)
cx, cy = 80, 80
for k in range(8):
    a = k * math.pi / 4
    x, y = int(cx + 55 * math.cos(a)), int(cy + 55 * math.sin(a))
    c.line(cx, cy, x, y, GREY)
    c.circle(x, y, 8, GREEN)
c.circle(cx, cy, 16, BLUE)
pts = [(200, 40), (250, 30), (290, 70), (270, 125), (215, 130), (190, 90), (240, 80), (300, 110)]
for i, j in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 0), (6, 0), (6, 2), (6, 4), (7, 3), (7, 2), (1, 6), (5, 6)]:
    c.line(*pts[i], *pts[j], GREY)
for p in pts:
    c.circle(*p, 8, ORANGE)
c.line(160, 10, 160, 150, INK, 1)
c.save(OUT / "xmooc-cmooc.png")

# 3. A spectrum of licences, from most open (left, long green) to least open (right, short red).
c = Canvas(320, 140)
colors = [GREEN, (110, 170, 70), (170, 180, 60), ORANGE, (220, 100, 40), RED]
for i, col in enumerate(colors):
    x0 = 20 + i * 48
    h = 100 - i * 15
    c.rect(x0, 120 - h, x0 + 36, 120, col, fill=True)
c.line(10, 121, 310, 121, INK)
c.arrow(20, 132, 300, 132, INK)
c.save(OUT / "licence-spectrum.png")

# 4. Forgetting curves: one cramming session (grey) vs spaced reviews (blue).
c = Canvas(320, 180)
X0, Y0, W, H = 30, 160, 280, 140
c.line(X0, Y0, X0 + W, Y0, INK)
c.line(X0, Y0, X0, Y0 - H, INK)


def curve(col, reviews):
    last, strength = 0.0, 2.0
    prev = None
    for px in range(0, W):
        day = px / W * 30
        for r in reviews:
            if last < r <= day:
                last, strength = r, strength * 2.2
        keep = math.exp(-(day - last) / strength)
        pt = (X0 + px, Y0 - keep * (H - 10))
        if prev and abs(prev[1] - pt[1]) < 60:
            c.line(*prev, *pt, col)
        elif prev:
            c.line(prev[0], prev[1], pt[0], pt[1], col)
        prev = pt


curve(GREY, [])
curve(BLUE, [1, 3, 7, 15])
for r in [1, 3, 7, 15]:
    c.circle(int(X0 + r / 30 * W), Y0 + 8, 3, BLUE)
c.save(OUT / "forgetting-curve.png")

# 5. A study week: planned minutes per day, from study-plan.csv.
rows = [l.split(",") for l in (OUT / "study-plan.csv").read_text().splitlines()[1:] if l.strip()]
c = Canvas(320, 160)
c.line(20, 140, 300, 140, INK)
for i, row in enumerate(rows):
    minutes = int(row[1])
    x0 = 28 + i * 39
    c.rect(x0, 140 - minutes * 2, x0 + 28, 139, BLUE if minutes else GREY, fill=True)
    if minutes == 0:
        c.rect(x0, 136, x0 + 28, 139, GREY, fill=True)
c.save(OUT / "study-week.png")

# 6. Offline first: the pack comes down once, records wait in a queue, go up when online.
c = Canvas(360, 150)
c.rect(10, 50, 80, 100, INK)
c.rect(18, 58, 72, 70, GREEN, fill=True)  # publisher
c.rect(140, 40, 220, 110, INK)
c.rect(148, 48, 212, 90, LIGHT, fill=True)  # laptop
c.rect(130, 110, 230, 116, INK, fill=True)
for i in range(4):
    c.rect(150 + i * 14, 125, 160 + i * 14, 140, ORANGE, fill=True)  # queued records
c.rect(280, 50, 350, 100, INK)
c.circle(315, 75, 14, BLUE)  # LRS
c.arrow(82, 75, 136, 75, GREEN)
c.arrow(224, 75, 276, 75, BLUE)
for x in range(228, 276, 10):
    c.line(x, 90, x + 4, 90, GREY)
c.save(OUT / "offline-sync.png")
