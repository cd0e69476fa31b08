"""The daily duties, one command for cron or a systemd timer (docs/operations.md):
closeout, delinquency and excess-cash holds, reminders, unused accounts, expired
downloads, downloads whose worker stopped, expired uploads. `send_reminders` is the same
command under its older name, which holds the list of duties."""

from reports.management.commands.send_reminders import Command as DailyDuties


class Command(DailyDuties):
    pass
