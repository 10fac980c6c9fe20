"""Frames at Textual's own pace: after a pause, the next frame at the first 1/60 s tick ahead.

Every screen paints on a repeating timer (`Screen._update_timer`, 60 a second), paused
while nothing changes. Textual 8's `Timer._run`, when it wakes after its next tick is
already due, skips ahead with `count = int((now - start) / interval + 1)`: one tick too
many. So the frame after a quiet moment comes at once, and the next one 17 to 33 ms after
it, not 0 to 17: search results that come 8 ms after the letter's frame waited up to
33 ms more for theirs (docs/tui.md, "Search as you type").

`pace_frames()` puts in a `Timer._run` that is Textual's loop with that one line made
right (the first tick still ahead; never a skip for an interval of 0 or less, where
Textual's divides by zero or never awaits). It does so only when Textual's loop is the
one this was written against (the names its code uses, `_RUN_NAMES`); any other Textual
keeps its own timers, which are slower after a pause but not wrong.
"""

from __future__ import annotations

from textual import _time
from textual.timer import EventTargetGone, Timer

# What Textual 8.2's `Timer._run` refers to, in order: another loop is left alone.
_RUN_NAMES = (
    "_repeat",
    "_interval",
    "_active",
    "wait",
    "_time",
    "get_time",
    "_skip",
    "int",
    "max",
    "sleep",
    "_reset",
    "_tick",
    "EventTargetGone",
)


def first_tick_ahead(start: float, now: float, interval: float, count: int) -> int:
    """The count of the last tick already passed at `now` (so tick count+1 is the first
    still ahead), and never less than count+1 (float rounding cannot stop the loop)."""
    return max(count + 1, int((now - start) / interval))


async def _paced_run(self: Timer) -> None:
    """Textual's `Timer._run`, skipping only the ticks that have passed."""
    count = 0
    repeat, interval = self._repeat, self._interval
    await self._active.wait()  # the event is made here, in the timer's own task, as in Textual's loop
    start = _time.get_time()
    while repeat is None or count <= repeat:
        next_tick = start + (count + 1) * interval
        now = _time.get_time()
        if self._skip and interval > 0 and next_tick < now:
            count = first_tick_ahead(start, now, interval, count)
            continue
        await _time.sleep(max(0.0, next_tick - now))
        count += 1
        await self._active.wait()
        if self._reset:
            start, count, self._reset = _time.get_time(), 0, False
            continue
        try:
            await self._tick(next_timer=next_tick, count=count)
        except EventTargetGone:
            break


def pace_frames() -> bool:
    """Use the paced loop for every Textual timer; False when this Textual's loop is not
    the one it replaces (then nothing changes)."""
    run = Timer._run
    if run is _paced_run:
        return True
    if run.__code__.co_names != _RUN_NAMES:
        return False
    Timer._run = _paced_run  # type: ignore[method-assign]
    return True
