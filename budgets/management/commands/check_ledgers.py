from django.core.management.base import BaseCommand, CommandError

from budgets.reconcile import reconcile_all


class Command(BaseCommand):
    help = (
        "Recompute every award's balances from its ledger entries; exit non-zero on any mismatch."
    )

    def handle(self, *args, **options):
        count, problems = reconcile_all()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {count} awards.")
        self.stdout.write(f"{count} awards checked: every balance agrees with its entries.")
