from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "zhengji.reporting"
    label = "reporting"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import chain, rules, steps  # noqa: F401, PLC0415 (app registry must be ready)

        steps.register_all()
        chain.connect()
