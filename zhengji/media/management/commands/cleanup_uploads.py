from django.core.management.base import BaseCommand

from zhengji.media.uploads import services
from zhengji.media.uploads.tasks import cleanup_uploads


class Command(BaseCommand):
    help = "Delete expired or abandoned uploads (not attached to an entry) and their staging files. For cron."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="queue the task instead of running it here")

    def handle(self, *args, enqueue: bool = False, **options):
        if enqueue:
            result = cleanup_uploads.enqueue()
            self.stdout.write(f"queued cleanup_uploads ({result.id})")
            return
        n = services.cleanup_expired()
        self.stdout.write(f"removed {n} expired upload(s)")
