"""netguard's rules with a fake clock (no wall-clock timing): the minimum rate over a window,
the overall deadline, and the environment knobs."""

from __future__ import annotations

import pytest

from packages.errors import MoocError
from packages.netguard import Guard, NetLimits, TooSlow


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run(guard: Guard, clock: Clock, rate: float, seconds: float, tick: float = 1.0) -> float | None:
    """Feed RATE bytes/s for SECONDS, the watchdog looking every TICK; when it trips, or None."""
    while clock.now < seconds:
        clock.now += tick
        guard.feed(int(rate * tick))
        if guard._evaluate() is not None:
            return clock.now
    return None


def test_a_slow_link_above_the_minimum_is_never_cut():
    """A 40 MB pack at 8 kB/s (64 kbit/s): about 90 minutes, within both rules."""
    clock = Clock()
    limits = NetLimits()
    size = 40 * 1024**2
    guard = Guard("u", limits, deadline=limits.pack_deadline(size), clock=clock)
    assert run(guard, clock, 8000, size / 8000 + 60, tick=5) is None
    guard.check()


def test_a_drip_is_cut_once_a_window_has_passed():
    clock = Clock()
    guard = Guard("http://x/p.mooc", NetLimits(rate_window=120), deadline=10**6, clock=clock)
    assert run(guard, clock, 0.3, 1000) == 120
    with pytest.raises(TooSlow, match=r"http://x/p.mooc: too slow: \d+ bytes in the last 120 s, under 1024 bytes/s"):
        guard.check()


def test_the_window_slides_a_stall_after_a_good_start_is_cut():
    """Five fast minutes bank nothing: once nothing comes for a window, it is cut."""
    clock = Clock()
    guard = Guard("u", NetLimits(rate_window=60), deadline=10**6, clock=clock)
    assert run(guard, clock, 100_000, 300) is None
    cut = run(guard, clock, 0, 1000)
    assert cut is not None and 300 < cut <= 300 + 61


def test_the_overall_deadline_is_checked_by_the_reader_too():
    clock = Clock()
    guard = Guard("catalog u", NetLimits(), deadline=300, why="MOOC_DEADLINE", clock=clock)
    clock.now = 299
    guard.check()
    assert guard.timeout(10, 30) == (1, 1)  # never a socket timeout past the deadline
    clock.now = 301
    with pytest.raises(TooSlow, match=r"catalog u: stopped after 301 s, over the 300 s allowed \(MOOC_DEADLINE\)"):
        guard.check()


def test_environment_knobs_and_their_errors():
    limits = NetLimits.from_env(
        {
            "MOOC_MIN_RATE": "2k",
            "MOOC_RATE_WINDOW": "30",
            "MOOC_DEADLINE": "5",
            "MOOC_MAX_DOWNLOAD_SIZE": "1G",
            "MOOC_MAX_CATALOG_SIZE": "1M",
        }
    )
    assert (limits.min_rate, limits.rate_window, limits.deadline) == (2048, 30.0, 5.0)
    assert (limits.max_download_size, limits.max_catalog_size) == (1024**3, 1024**2)
    assert limits.pack_deadline(2048 * 10) == 15
    with pytest.raises(MoocError, match="MOOC_MIN_RATE: must be at least 1"):
        NetLimits.from_env({"MOOC_MIN_RATE": "0"})
    with pytest.raises(MoocError, match="MOOC_DEADLINE: 'soon' is not a positive number"):
        NetLimits.from_env({"MOOC_DEADLINE": "soon"})
    with pytest.raises(MoocError, match="MOOC_MAX_CATALOG_SIZE: 'big' is not a size"):
        NetLimits.from_env({"MOOC_MAX_CATALOG_SIZE": "big"})
