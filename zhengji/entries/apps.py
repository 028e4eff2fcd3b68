from django.apps import AppConfig


class EntriesConfig(AppConfig):
    name = "zhengji.entries"
    label = "entries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import notifications, rules, workflow  # noqa: F401, PLC0415 (app registry must be ready)

        workflow.on_applied("submit", lambda entry, event: notifications.entry_submitted(entry))
        workflow.on_applied("resubmit", lambda entry, event: notifications.entry_submitted(entry, resubmitted=True))
        workflow.on_applied("withdraw", lambda entry, event: notifications.entry_withdrawn(entry))
        workflow.on_applied("return", lambda entry, event: notifications.entry_returned(entry, event.reason))
