from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "zhengji.public"
    label = "public"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save  # noqa: PLC0415 (apps load before models)

        from zhengji.entries.models import Entry  # noqa: PLC0415 (apps load before models)
        from zhengji.originality.signals import ai_label_changed  # noqa: PLC0415 (as above)

        from . import gate, hooks_comments, hooks_entry, hooks_gallery, hooks_info, hooks_votes  # noqa: PLC0415 (as above)
        from .cache import bump_entry  # noqa: PLC0415 (as above)

        # Any save of an entry (an edit, a decision, publication) invalidates its cached pages.
        post_save.connect(lambda sender, instance, **kw: bump_entry(instance), sender=Entry, weak=False,
                          dispatch_uid="public.bump_entry")
        # A label change that saves no entry (staff marking it suspected AI-generated) does too.
        ai_label_changed.connect(lambda sender, entry, **kw: bump_entry(entry), weak=False,
                                 dispatch_uid="public.bump_entry_ai_label")
        gate.register()
        for hooks in (hooks_gallery, hooks_entry, hooks_info, hooks_votes, hooks_comments):
            hooks.connect()
