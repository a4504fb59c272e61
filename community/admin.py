from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from community.fields import one_line_checked
from community.models import Community, Consent, Member, NicknameHistory
from realtime.broadcast import member_sockets_close


class OneLineAdmin:
    """Admin forms whose one-line text fields (titles, names, places) refuse
    line breaks and control characters, as the site's forms do
    (community.fields.OneLineField): mixed into every ModelAdmin and inline
    of the project."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return one_line_checked(field)


class NicknameHistoryInline(OneLineAdmin, admin.TabularInline):
    model = NicknameHistory
    extra = 0
    can_delete = False
    readonly_fields = ["nickname", "used_from", "used_until"]
    exclude = ["nickname_key"]


class ConsentInline(admin.TabularInline):
    """What the member agreed to: a record, so staff read it and never
    write it (only community.services.consents does)."""

    model = Consent
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "purpose",
        "version",
        "given_at",
        "how",
        "withdrawn_at",
        "ended_by",
        "reminded_at",
    ]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Member)
class MemberAdmin(OneLineAdmin, UserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "real_name", "nickname", "role", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "role"]
    search_fields = ["email", "real_name", "nickname"]
    readonly_fields = ["public_id", "nickname_changed_at", "date_joined", "last_login"]
    inlines = [NicknameHistoryInline, ConsentInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "public_id"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "real_name",
                    "nickname",
                    "nickname_changed_at",
                    "display_mode",
                    "role",
                    "experience",
                    "company",
                    "show_company",
                    "bio",
                    "work_email",
                    "work_email_verified_at",
                    "language",
                ]
            },
        ),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "real_name", "password1", "password2"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The nickname changes only through the profile page, which enforces
        # the cooldown and keeps the history.
        return [*self.readonly_fields, "nickname"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A deactivated member's open chat sockets close now: the reconnect
        # is refused.
        if change and not obj.is_active and "is_active" in form.changed_data:
            member_sockets_close(member_id=obj.pk)


@admin.register(Community)
class CommunityAdmin(OneLineAdmin, admin.ModelAdmin):
    list_display = ["name", "slug", "role", "requires_real_names"]
    prepopulated_fields = {"slug": ["name"]}
