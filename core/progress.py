"""A progress bar for management commands: drawn on a terminal, silent anywhere else.

Our own few lines rather than a dependency. It writes to the stream it is given (stderr), so the
command's stdout stays clean for scripts and cron mail, and it redraws at most a few times a
second, so a million rows cost a few hundred writes.
"""

import time
from typing import TextIO

WIDTH = 30


class ProgressBar:
    """``bar = ProgressBar(stream, "signatures", total)``; ``bar.advance()`` per row; ``bar.close()``."""

    def __init__(self, stream: TextIO, label: str, total: int, *, every: float = 0.2):
        self.stream = stream
        self.label = label
        self.total = total
        self.done = 0
        self.every = every
        self.enabled = _is_terminal(stream)
        self._drawn_at = 0.0

    def advance(self, step: int = 1) -> None:
        self.done += step
        if self.enabled and (time.monotonic() - self._drawn_at >= self.every or self.done >= self.total):
            self._draw()

    def close(self) -> None:
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        filled = int(fraction * WIDTH)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {fraction:4.0%} {self.done:,} of {self.total:,}")
        self.stream.flush()
        self._drawn_at = time.monotonic()


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
