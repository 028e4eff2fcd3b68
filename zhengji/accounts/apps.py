from django.apps import AppConfig
from django.conf import settings

from zhengji.common import registry


class AccountsConfig(AppConfig):
    name = "zhengji.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_sentences  # noqa: PLC0415 (kept with the app's start-up hooks)

        audit_sentences.register()
        from .plugins import audit_readable, is_staff  # noqa: PLC0415 (ready(): imports models, loaded only now)

        registry.staff_checks.register("accounts.roles", is_staff)
        registry.audit_readers.register("accounts.roles", audit_readable)
        # Forget login-throttle rows that no limit remembers any more.
        registry.periodic_jobs.add("zhengji.accounts.throttle.cleanup", settings.LOGIN_THROTTLE_CLEANUP_INTERVAL)
