from django.apps import AppConfig

from zhengji.common import registry


class CampaignsConfig(AppConfig):
    name = "zhengji.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .hub import hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)

        registry.hub.register("campaigns", hub_panels, order=20)
