"""Times in a meeting as people read them, the same in the app, the command line and every export."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """``75.2`` -> ``"01:15"``; hours appear when needed (``"1:01:15"``)."""
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
