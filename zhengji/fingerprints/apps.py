from django.apps import AppConfig


class FingerprintsConfig(AppConfig):
    name = "zhengji.fingerprints"
    label = "fingerprints"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhengji.media.signals import media_ready  # noqa: PLC0415 (apps load before models)

        from . import engines, tasks  # noqa: PLC0415 (apps load before models)

        engines.load_builtin()
        media_ready.connect(tasks.on_media_ready, dispatch_uid="fingerprints.media_ready")
