from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def notifications(request):
    items = request.user.notifications.all()[:100]
    return render(request, "common/notifications.html", {"items": items})


@login_required
def manage(request):
    return render(request, "common/manage.html")
