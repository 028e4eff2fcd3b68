from django.contrib import admin

from .models import Activity, ActivityPhoto, BrandProject, Volunteer


class ActivityPhotoInline(admin.TabularInline):
    model = ActivityPhoto
    raw_id_fields = ("media",)
    extra = 0


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "held_on", "org", "campaign", "participants")
    list_filter = ("kind", "campaign")
    search_fields = ("title", "place", "org__name")
    raw_id_fields = ("org", "campaign", "created_by")
    date_hierarchy = "held_on"
    inlines = [ActivityPhotoInline]
    list_select_related = ("org", "campaign")


@admin.register(BrandProject)
class BrandProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "started_on", "org", "campaign")
    list_filter = ("campaign",)
    search_fields = ("name", "org__name")
    raw_id_fields = ("org", "campaign", "created_by")
    list_select_related = ("org", "campaign")


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "org", "campaign", "created_at")
    list_filter = ("campaign",)
    search_fields = ("name", "phone", "org__name")
    raw_id_fields = ("org", "campaign", "created_by")
    list_select_related = ("org", "campaign")
