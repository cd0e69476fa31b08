from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import mfa_changes


class Command(BaseCommand):
    help = (
        "Remove every second factor (passkeys, authenticator apps, recovery codes) of a "
        "person who lost them, and end their sessions: they set one up again at their next "
        "sign-in. Check who is asking first. The reset is an audit event and the person is "
        "emailed."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The account whose second factors are reset.")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username=username.strip()).first()
        if user is None:
            raise CommandError(f"No account has the username “{username}”.")
        removed = mfa_changes.reset(actor=None, user=user, via="reset_second_factors")
        counts = ", ".join(f"{count} {what}" for what, count in removed.items())
        self.stdout.write(
            f"Reset the second factors of {user.username} (removed {counts}); "
            "their sessions have ended."
        )
