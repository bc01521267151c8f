"""Progress for long steps: :class:`Heartbeat` says what is running now and again every few
seconds, so that no step (computing a figure, drawing it) is silent for long. Used by the engine
and by the reports; imports nothing of lazyrich."""

from __future__ import annotations

import threading
import time
from typing import Callable

__all__ = ["HEARTBEAT_S", "Heartbeat"]

#: Seconds between two messages of a step that is still running.
HEARTBEAT_S = 4.0


class Heartbeat:
    """Context manager calling ``say(message)`` now (unless ``quiet_start``) and then every
    ``every`` seconds (default :data:`HEARTBEAT_S`, read when it starts) until it exits, with
    the elapsed time. ``say=None``: silent."""

    def __init__(self, say: Callable[[str], None] | None, message: str,
                 every: float | None = None, quiet_start: bool = False):
        self.say, self.message, self.every = say, message, every
        self.quiet_start = quiet_start
        self._stop = threading.Event()
        self._thread = None
        self.start = 0.0

    def __enter__(self):
        self.start = time.monotonic()
        if self.every is None:
            self.every = HEARTBEAT_S
        if self.say is not None:
            if not self.quiet_start:
                self.say(f"{self.message} …")
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.every):
            self.say(f"{self.message} … still running ({time.monotonic() - self.start:.0f} s)")

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.start
