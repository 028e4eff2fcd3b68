from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and scale data loaders (`manage.py load_demo`, `manage.py demo_accounts`): the top
    floor, beside `api`; it composes every app below it and nothing imports it."""

    name = "zhengji.demo"
    label = "demo"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
