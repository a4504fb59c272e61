"""Admin for staff. The video link is a secret even here: it never appears
in a list, a search result or an inline; staff see it only on the change
form of the gathering itself, like an organiser on the dashboard. Draws are
read-only: the database refuses a second one, and a record must not change
after publication."""

from django.contrib import admin

from events.models import Draw, FairnessPolicy, Gathering


@admin.register(FairnessPolicy)
class FairnessPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "community",
        "base_weight",
        "loss_bonus",
        "loss_cap",
        "no_show_weight",
        "no_show_days",
        "company_cap",
    ]


@admin.register(Gathering)
class GatheringAdmin(admin.ModelAdmin):
    list_display = ["title", "community", "status", "starts_at", "capacity"]
    list_filter = ["status", "selection_mode", "community"]
    search_fields = ["title"]
    readonly_fields = [
        "uid",
        "status",
        "next_due_at",
        "draw_commitment",
        "frozen_digest",
        "frozen_at",
        "sequence",
        "published_at",
        "cancelled_at",
    ]
    exclude = ["draw_seed", "description_html"]
    filter_horizontal = ["hosts"]


@admin.register(Draw)
class DrawAdmin(admin.ModelAdmin):
    list_display = ["gathering", "algorithm", "drawn_at", "drawn_by"]
    readonly_fields = ["gathering", "algorithm", "record", "drawn_at", "drawn_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
