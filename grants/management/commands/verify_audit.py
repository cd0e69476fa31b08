import time

from django.core.management.base import BaseCommand, CommandError

from grants.audit_verify import verify_audit_chain
from grants.progress import Progress


class Command(BaseCommand):
    help = (
        "Walk the audit trail's hash chain in order; print the count and the head hash, or "
        "name the first broken link and exit non-zero."
    )

    def handle(self, *args, **options):
        progress = Progress(self.stdout, options["verbosity"])
        started = time.monotonic()
        with progress.phase("Walking the audit chain") as phase:
            verdict = verify_audit_chain()
            phase.summary = f"{verdict.walk.count:,} events"
        seconds = time.monotonic() - started
        if not verdict.ok:
            raise CommandError(f"Audit chain broken: {verdict.problem}")
        progress.say(
            f"OK: {verdict.walk.count} audit events, every link holds "
            f"({seconds:.1f} s). Head hash {verdict.walk.head}"
        )
