"""Progress lines for long management commands: an operator running one sees which phase
is running, how far through it is, and what it did, on stdout; nothing at --verbosity 0
(cron jobs). Problems go to stderr whatever the verbosity."""

import time
from contextlib import contextmanager


class Progress:
    def __init__(self, stdout, verbosity: int = 1):
        self.stdout = stdout
        self.verbosity = verbosity

    def say(self, text: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(text + "\n")  # OutputWrapper adds none when it is there
            self.stdout.flush()

    @contextmanager
    def phase(self, name: str, total: int | None = None):
        """A phase named `name`: a line when it starts ("... (61 to do)") and one when it
        ends, with what it counted and how long it took."""
        phase = Phase(self, name, total)
        self.say(f"{name}..." + (f" ({total:,} to do)" if total is not None else ""))
        yield phase
        seconds = time.monotonic() - phase.started
        done = f": {phase.summary}" if phase.summary else ""
        self.say(f"{name} done{done} ({seconds:.1f} s)")


class Phase:
    """One phase's counter. `step()` after each item prints "name: 12/61" at every tenth
    of the total (and at least every 10 seconds), never a line per item."""

    def __init__(self, progress: Progress, name: str, total: int | None):
        self.progress, self.name, self.total = progress, name, total
        self.done = 0
        self.summary = ""
        self.started = self._said = time.monotonic()

    def step(self, n: int = 1) -> None:
        before, self.done = self.done, self.done + n
        now = time.monotonic()
        tenth = max(1, self.total // 10) if self.total else 0
        crossed = tenth and before // tenth < self.done // tenth and self.done < self.total
        if crossed or now - self._said >= 10:
            of = f"/{self.total:,}" if self.total else ""
            self.progress.say(f"  {self.name}: {self.done:,}{of}")
            self._said = now
