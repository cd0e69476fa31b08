"""Check an evidence pack against its manifest.

    python manage.py verify_pack evidence-pack-fy2025-20261128.zip

Exit status 0 when every file the manifest lists is present with the same SHA-256 and
size and the pack holds nothing else; 1 naming each file that fails; 2 when the file
cannot be read as a ZIP at all.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.exports.packs import verify_pack


class Command(BaseCommand):
    help = "Check an evidence pack (ZIP) against its manifest of SHA-256 digests."

    def add_arguments(self, parser):
        parser.add_argument("pack", help="the evidence pack (.zip) to check")

    def handle(self, *args, pack: str, **options):
        path = Path(pack)
        if not path.is_file():
            raise CommandError(f"{pack}: no such file", returncode=2)
        problems, checked = verify_pack(path)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            code = 2 if checked == 0 and "not a readable ZIP" in problems[0] else 1
            raise CommandError(
                f"{pack}: {len(problems)} problem(s); the pack does not match its manifest",
                returncode=code,
            )
        self.stdout.write(f"{pack}: all {checked} files match the manifest.")
