from django.shortcuts import render

from zhengji.campaigns.models import Campaign


def home(request):
    campaign = Campaign.objects.filter(is_published=True).select_related("org").first()
    return render(request, "public/home.html", {"campaign": campaign})
