from django.apps import AppConfig

from . import registry


class CommonConfig(AppConfig):
    name = "zhengji.common"
    label = "common"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from . import checks  # noqa: F401, PLC0415 (registers the system checks)
        from .views import audit_hub_panels  # noqa: PLC0415 (ready(): views import models, loaded only now)

        registry.hub.register("common.audit", audit_hub_panels, order=90)
