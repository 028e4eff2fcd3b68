from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _is_staff(user) -> bool:
    from zhengji.accounts.scopes import scopes_for

    return bool(user.is_superuser or scopes_for(user).is_staff_of_anything)


def site(request):
    unread = 0
    is_staff = False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
        # Lazy: the scopes query runs only when a template asks (the nav does, once; it is cached).
        is_staff = SimpleLazyObject(lambda: _is_staff(user))
    return {"SITE_NAME_ZH": "征集", "DEBUG": settings.DEBUG, "unread_notifications": unread,
            "zj_is_staff": is_staff}
