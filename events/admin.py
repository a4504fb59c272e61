"""Admin for staff. The video link is a secret even here: it never appears
in a list, a search result or an inline; staff see it only on the change
form of the gathering itself, like an organiser on the dashboard. Draws are
read-only: the database refuses a second one, and a record must not change
after publication."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from community.admin import OneLineAdmin
from community.fields import JSONField
from events.access import frozen_fields
from events.errors import EventsError
from events.models import Amendment, Draw, FairnessPolicy, Gathering, LogEntry, Survey
from events.selectors import survey_summary_shown
from events.services.sealing import sealed_unopenable_count


@admin.register(FairnessPolicy)
class FairnessPolicyAdmin(OneLineAdmin, admin.ModelAdmin):
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
class GatheringAdmin(OneLineAdmin, admin.ModelAdmin):
    list_display = ["title", "community", "status", "starts_at", "capacity"]
    list_filter = ["status", "selection_mode", "community"]
    search_fields = ["title"]
    readonly_fields = [
        "uid",
        "status",
        "next_due_at",
        "draw_commitment",
        "terms",
        "terms_digest",
        "frozen_digest",
        "frozen_at",
        "sequence",
        "published_at",
        "cancelled_at",
    ]
    exclude = ["draw_seed", "description_html"]
    filter_horizontal = ["hosts"]

    def get_readonly_fields(self, request, obj=None):
        """The terms a gathering committed at opening change only by a
        numbered amendment (events.services.terms), not here."""
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, *dict.fromkeys(frozen_fields(obj))]

    def has_delete_permission(self, request, obj=None):
        # A drawn gathering's record must stay (the database refuses too).
        if obj is not None and Draw.objects.filter(gathering=obj).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Draw)
class DrawAdmin(OneLineAdmin, admin.ModelAdmin):
    list_display = ["gathering", "algorithm", "drawn_at", "drawn_by"]
    readonly_fields = ["gathering", "algorithm", "record", "drawn_at", "drawn_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _AppendOnlyAdmin(OneLineAdmin, admin.ModelAdmin):
    """Read only: the rows are appended by the services and never changed
    or deleted (the database refuses it too)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Amendment)
class AmendmentAdmin(_AppendOnlyAdmin):
    list_display = ["gathering", "number", "reason", "created_at"]


@admin.register(LogEntry)
class LogEntryAdmin(_AppendOnlyAdmin):
    list_display = ["community", "seq", "kind", "gathering", "at"]
    list_filter = ["kind"]


class SurveyAdminForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["min_responses", "duration", "questions"]
        field_classes = {"questions": JSONField}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and (
            Survey.objects.filter(pk=self.instance.pk, locked=True).exists()
        ):
            raise forms.ValidationError(EventsError("survey_locked").message)
        return cleaned


@admin.register(Survey)
class SurveyAdmin(OneLineAdmin, admin.ModelAdmin):
    """k, the period and the questions, until the first response; then
    nothing (the database refuses the change too). Responses and who
    answered have no admin at all: no page may set them side by side. The
    average shows under the results pages' rule only (from k, after the
    close); a survey whose sealed responses no key opens says so, for the
    operator to put the old SECRET_KEY back in SECRET_KEY_FALLBACKS."""

    form = SurveyAdminForm
    list_display = ["gathering", "min_responses", "locked", "response_count"]
    readonly_fields = [
        "gathering",
        "opens_at",
        "closes_at",
        "locked",
        "response_count",
        "average",
    ]

    @admin.display(description=_("average satisfaction"))
    def average(self, obj: Survey) -> str:
        if not survey_summary_shown(obj):
            return "—"
        return f"{obj.satisfaction_average:.1f}"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        survey = self.get_object(request, object_id)
        unopenable = sealed_unopenable_count(survey) if survey is not None else 0
        if unopenable and request.method == "GET":
            messages.error(
                request,
                ngettext(
                    "%(count)s sealed response of this survey cannot be opened "
                    "with SECRET_KEY or SECRET_KEY_FALLBACKS: its close waits and "
                    "nothing is deleted. Put the previous SECRET_KEY in "
                    "SECRET_KEY_FALLBACKS.",
                    "%(count)s sealed responses of this survey cannot be opened "
                    "with SECRET_KEY or SECRET_KEY_FALLBACKS: its close waits and "
                    "nothing is deleted. Put the previous SECRET_KEY in "
                    "SECRET_KEY_FALLBACKS.",
                    unopenable,
                )
                % {"count": unopenable},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.locked:
            return [*self.readonly_fields, "min_responses", "duration", "questions"]
        return self.readonly_fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
