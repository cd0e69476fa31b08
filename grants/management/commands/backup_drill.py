import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from grants.backups import backup_drill


class Command(BaseCommand):
    help = (
        "Back up the configured database, restore it into a scratch database and run "
        "check_ledgers and verify_audit against the copy (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            metavar="FOLDER",
            help="Keep the backup file in FOLDER (by default it goes with the drill).",
        )

    def handle(self, *args, keep=None, **options):
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            drill = self._drill(Path(keep))
        else:
            with tempfile.TemporaryDirectory(prefix="backup-drill-") as folder:
                drill = self._drill(Path(folder))
        if not drill.ok:
            failed = [step.name for step in drill.steps if not step.ok]
            raise CommandError(f"Backup drill failed: {', '.join(failed)}.")
        total = sum(step.seconds for step in drill.steps)
        self.stdout.write(f"Backup drill passed in {total:.1f} s.")

    def _drill(self, folder: Path):
        drill = backup_drill(folder)
        for step in drill.steps:
            mark = "ok" if step.ok else "FAILED"
            self.stdout.write(f"{mark:6} {step.name} ({step.seconds:.1f} s)")
            for line in step.output.splitlines():
                self.stdout.write(f"       {line}")
        if drill.backup_bytes:
            self.stdout.write(f"Backup: {drill.backup} ({drill.backup_bytes:,} bytes)")
        return drill
