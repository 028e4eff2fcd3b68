from django.apps import AppConfig
from django.conf import settings
from PIL import Image

from zhengji.common import registry


class MediaConfig(AppConfig):
    name = "zhengji.media"
    label = "media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # One pixel limit for every Image.open in the process (Pillow's own default is 89.5 MP):
        # probe.set_pillow_limit() sets it again before each of ours, following the setting.
        Image.MAX_IMAGE_PIXELS = settings.MEDIA_MAX_IMAGE_PIXELS
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        # Periodic jobs for `manage.py scheduler` (named by path: the task queue carries the path).
        registry.periodic_jobs.add("zhengji.media.uploads.services.cleanup_expired", settings.UPLOAD_CLEANUP_INTERVAL)
        registry.periodic_jobs.add("zhengji.media.processing.domain.requeue_stuck", settings.MEDIA_REQUEUE_INTERVAL)
        registry.periodic_jobs.add("zhengji.media.processing.domain.sweep_work_folders",
                                   settings.MEDIA_REQUEUE_INTERVAL)
