from django.core.management.base import BaseCommand, CommandError

from accounts.services import unlock


class Command(BaseCommand):
    help = (
        "Unlock sign-in for a username or an address locked out after failed attempts. "
        "The unlock is an audit event."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", default="", help="The username to unlock.")
        parser.add_argument("--address", default="", help="An IP address to unlock.")

    def handle(self, *args, username="", address="", **options):
        if not username.strip() and not address.strip():
            raise CommandError("Name the username or the --address to unlock.")
        cleared = unlock(actor=None, username=username, address=address, via="unlock_account")
        self.stdout.write(f"Unlocked; {cleared} failed-attempt record(s) cleared.")
