"""Re-apply logged erasures after a database backup was restored.

The replay log (ERASURE_REPLAY_LOG) lists, without personal data, the
clients each erasure covered; a restored backup may predate some of them.
Every logged client not yet a tombstone is erased again (holds recorded at
the time are honoured). Safe to run twice: the second run finds nothing.
"""

from django.core.management.base import BaseCommand

from privacy.erasure import replay


class Command(BaseCommand):
    help = "Re-apply the erasures of the replay log to a restored database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count only, erase nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        path = replay.replay_log_path()
        if not path.exists():
            self.stderr.write(f"No replay log at {path}: nothing to replay.")
            return
        result = replay.replay_erasures(dry_run=dry_run)
        verb = "would re-erase" if dry_run else "re-erased"
        self.stdout.write(
            f"{result['entries']} logged erasure(s); {verb} "
            f"{result['clients_reerased']} client(s); "
            f"{result['clients_already_erased']} already erased."
        )
