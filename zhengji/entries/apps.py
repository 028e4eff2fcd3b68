from django.apps import AppConfig
from django.utils.translation import gettext as _

from zhengji.common import registry


def centre_panels(user) -> list[registry.Panel]:
    """"My entries" in the personal centre (the latest five, links to all and to a new one)."""
    return [registry.Panel("entries", _("My entries"), template="entries/_my_entries.html")]


class EntriesConfig(AppConfig):
    name = "zhengji.entries"
    label = "entries"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        registry.centre.register("entries.mine", centre_panels, order=50)
