from django.apps import AppConfig

from zhengji.common import registry


class OrgsConfig(AppConfig):
    name = "zhengji.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .hub import hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)

        registry.hub.register("orgs", hub_panels, order=10)
