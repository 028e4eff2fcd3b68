from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "zhengji.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import roles  # noqa: PLC0415 (it imports models, loadable only once the app registry is ready)

        roles.register()
