"""Waiting in Pilot tests for a screen to come up, without a fixed sleep."""

from __future__ import annotations

from typing import Any


async def until_screen(pilot: Any, name: str, tries: int = 100) -> None:
    """Let the app run (up to TRIES x 50 ms) until its screen is of the class NAME; the
    test's own asserts say what is wrong when it never comes."""
    for _ in range(tries):
        if type(pilot.app.screen).__name__ == name:
            return
        await pilot.pause(0.05)
