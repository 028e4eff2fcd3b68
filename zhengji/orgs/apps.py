from django.apps import AppConfig

from zhengji.accounts import profile


class OrgsConfig(AppConfig):
    name = "zhengji.orgs"
    label = "orgs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import queries, roles  # noqa: PLC0415 (they import models, loadable only once the app registry is ready)

        roles.register()
        profile.set_membership_provider(queries.membership_view)
