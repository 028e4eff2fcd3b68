from django.apps import AppConfig

from zhengji.common import registry


class CampaignsConfig(AppConfig):
    name = "zhengji.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from . import roles  # noqa: PLC0415 (it imports models, loadable only once the app registry is ready)
        from .hub import hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)

        roles.register()
        registry.hub.register("campaigns", hub_panels, order=20)
