from django.apps import AppConfig

from zhengji.accounts import profile
from zhengji.common import registry


class OrgsConfig(AppConfig):
    name = "zhengji.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from . import queries, roles  # noqa: PLC0415 (they import models, loadable only once the app registry is ready)
        from .hub import centre_panels, hub_panels  # noqa: PLC0415 (ready(): imports models, loaded only now)

        roles.register()
        profile.set_membership_provider(queries.membership_view)
        registry.hub.register("orgs", hub_panels, order=10)
        registry.centre.register("orgs.membership", centre_panels, order=5)
