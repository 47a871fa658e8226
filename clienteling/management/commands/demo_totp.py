"""Print the current second-factor code of a demo user (demo only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from clienteling.demo import DEMO_USERS


class Command(BaseCommand):
    help = "Print the current TOTP code of a demo user (demo and test only)."

    def add_arguments(self, parser):
        parser.add_argument("username", choices=[d.username for d in DEMO_USERS])

    def handle(self, *args, username, **options):
        if settings.ENVIRONMENT not in ("demo", "test"):
            raise CommandError("demo_totp only runs in the demo environment.")
        from django_otp.oath import TOTP
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(
            user__username=username, name="Demo authenticator"
        ).first()
        if device is None:
            raise CommandError(f"{username} has no demo authenticator: run seed_demo.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
