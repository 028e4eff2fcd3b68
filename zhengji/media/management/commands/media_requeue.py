from django.core.management.base import BaseCommand

from zhengji.media.processing.domain import requeue_stuck


class Command(BaseCommand):
    help = "Queue again the processing of media whose task was lost (pending/processing too long)."

    def handle(self, *args, **options):
        ids = requeue_stuck()
        self.stdout.write(f"requeued {len(ids)} media" + (f": {', '.join(map(str, ids))}" if ids else ""))
