from django.core.management.base import BaseCommand, CommandError

from budgets.reconcile import reconcile_all
from grants.models import Award
from grants.progress import Progress


class Command(BaseCommand):
    help = (
        "Recompute every award's balances from its ledger entries; exit non-zero on any mismatch."
    )

    def handle(self, *args, **options):
        progress = Progress(self.stdout, options["verbosity"])
        with progress.phase("Checking ledgers", total=Award.objects.count()) as phase:
            count, problems = reconcile_all(step=phase.step)
            phase.summary = f"{count:,} awards, {len(problems)} problem(s)"
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {count} awards.")
        progress.say(f"{count} awards checked: every balance agrees with its entries.")
