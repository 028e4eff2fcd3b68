from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "zhengji.activities"
    label = "activities"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "activities"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from zhengji.common import registry  # noqa: PLC0415 (kept with the app's other start-up imports)
        from zhengji.media import access, targets  # noqa: PLC0415 (apps load before models; ready() is the hook)

        from . import photos, rules  # noqa: F401, PLC0415 (they import models, loadable only now)
        from .hub import hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)

        targets.register(photos.TARGET_NAME, photos.resolve_activity_photo)
        access.register_viewer(photos.VIEWER_RULE_NAME, photos.unit_admin_sees_activity_photo)
        registry.hub.register("activities", hub_panels, order=25)
