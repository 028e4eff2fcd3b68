"""Start-up wiring of the votes area (signals, registries), called from PublicConfig.ready()."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengji.campaigns.models import Track
from zhengji.common import registry
from zhengji.common.i18n import localized
from zhengji.common.registry import Panel, PanelItem

from .models import AnomalyGroup, GroupState, VoteWindow
from .votes_rules import managed_tracks_q, manages_any


def connect() -> None:
    from . import votes_audit, votes_rules  # noqa: F401, PLC0415 (rules register their permission on import)
    from .domain.votes import vote_counts  # noqa: PLC0415 (models load after apps)

    votes_audit.register()
    connect_signals()
    registry.vote_counts.register("public.votes", vote_counts)
    registry.hub.register("public.votes", hub_panels, order=55)
    registry.periodic_jobs.add("zhengji.public.votes_anomaly.scan_recent",
                               float(getattr(settings, "VOTE_ANOMALY_INTERVAL_SECONDS", 60)))


HUB_TRACKS = 20


def hub_panels(user: Any) -> list[Panel]:
    """Staff hub: the vote of each track this user runs (its window) and the anomaly queue."""
    if not manages_any(user):
        return []
    tracks = list(Track.objects.filter(managed_tracks_q(user)).select_related("campaign")
                  .order_by("-campaign__year", "campaign_id", "number")[:HUB_TRACKS])
    if not tracks:
        return []
    windows = {w.track_id: w for w in VoteWindow.objects.filter(track_id__in=[t.pk for t in tracks])}
    open_groups = AnomalyGroup.objects.filter(track_id__in=[t.pk for t in tracks], state=GroupState.OPEN).count()
    items = [PanelItem(_("Flagged votes to review: %(n)d") % {"n": open_groups}, reverse("public:vote_queue"))]
    for t in tracks:
        w = windows.get(t.pk)
        note = _("Voting on") if w is not None and w.enabled else _("No public vote")
        items.append(PanelItem(f"{localized(t.campaign, 'name')} · {localized(t, 'name')}",
                               reverse("public:vote_window", args=[t.pk]), note))
    return [Panel("public.votes", _("Public votes"), icon="bi-hand-thumbs-up", items=tuple(items))]


def _window_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    from django.db import transaction  # noqa: PLC0415

    from .domain.votes import forget_gates  # noqa: PLC0415

    track_id = instance.track_id
    forget_gates(track_id)  # now (this transaction's next vote) and after the commit (other requests')
    transaction.on_commit(lambda: forget_gates(track_id))


def _account_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    from django.db import transaction  # noqa: PLC0415

    from .votes_lean import forget_account  # noqa: PLC0415

    if kwargs.get("created"):
        return  # a new account: nothing of it cached yet
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login (update_last_login): neither the password nor the standing changed
    user_id = instance.pk
    forget_account(user_id)
    # Again after the commit: a vote that read the old password before it could cache it meanwhile.
    transaction.on_commit(lambda: forget_account(user_id))


def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from .votes_lean import remember_account  # noqa: PLC0415

    remember_account(user)


def connect_signals() -> None:
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415
    from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

    post_save.connect(_window_saved, sender=VoteWindow, dispatch_uid="public.votes.window_saved")
    post_delete.connect(_window_saved, sender=VoteWindow, dispatch_uid="public.votes.window_deleted")
    # The lean vote path may cache an account's session auth hash: a saved account (a new
    # password, deactivated) or a deleted one drops it.
    post_save.connect(_account_saved, sender=get_user_model(), dispatch_uid="public.votes.account_saved")
    post_delete.connect(_account_saved, sender=get_user_model(), dispatch_uid="public.votes.account_deleted")
    user_logged_in.connect(_logged_in, dispatch_uid="public.votes.logged_in")
