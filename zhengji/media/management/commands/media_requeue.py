from django.core.management.base import BaseCommand

from zhengji.media.processing.domain import requeue_stuck, sweep_work_folders


class Command(BaseCommand):
    help = ("Queue again the processing of media whose task was lost (a silent heartbeat, or queued too "
            "long), and remove the temporary folders of dead workers on this machine.")

    def handle(self, *args, **options):
        ids = requeue_stuck()
        self.stdout.write(f"requeued {len(ids)} media" + (f": {', '.join(map(str, ids))}" if ids else ""))
        swept = sweep_work_folders()
        if swept:
            self.stdout.write(f"removed {len(swept)} leftover work folder(s): {', '.join(swept)}")
