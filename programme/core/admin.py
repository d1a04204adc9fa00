from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django_countries.filters import CountryFilter

from programme.core.admin_search import BlindIndexSearchMixin, ReadableAdmin, ViewOnlyAdmin
from programme.core.languages import LANGUAGE_CHOICES
from programme.core.models import AuditEvent, Person, ProgrammeSettings


class PersonAdminForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Languages the person can hold a meeting in.",
    )

    class Meta:
        model = Person
        fields = (
            "given_name",
            "family_name",
            "primary_email",
            "secondary_email",
            "institution",
            "country",
            "gender",
            "languages",
        )


@admin.register(Person)
class PersonAdmin(BlindIndexSearchMixin, ReadableAdmin):
    form = PersonAdminForm
    list_display = ("id", "name", "country", "gender", "primary_confirmed", "secondary_confirmed")
    list_display_links = ("id", "name")
    list_filter = (("country", CountryFilter), "gender")
    # The search box hashes the term and compares it with these indexes.
    search_fields = ("primary_email_index", "secondary_email_index")
    ordering = ("-id",)
    fieldsets = (
        ("Name", {"fields": ("given_name", "family_name")}),
        (
            "Contact",
            {
                "fields": (
                    "primary_email",
                    "primary_email_confirmed_at",
                    "secondary_email",
                    "secondary_email_confirmed_at",
                )
            },
        ),
        ("Practice", {"fields": ("institution", "country", "gender", "languages")}),
        ("Correspondence", {"fields": ("letters_link",)}),
    )
    readonly_fields = (
        "primary_email_confirmed_at",
        "secondary_email_confirmed_at",
        "letters_link",
    )

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description="Letters")
    def letters_link(self, person: Person) -> str:
        url = reverse("admin:letters_letter_changelist") + f"?person__id__exact={person.pk}"
        return format_html('<a href="{}">Every letter sent to this person</a>', url)

    @admin.display(description="Name")
    def name(self, person: Person) -> str:
        return person.full_name

    @admin.display(description="1st address confirmed", boolean=True)
    def primary_confirmed(self, person: Person) -> bool:
        return person.primary_email_confirmed_at is not None

    @admin.display(description="2nd address confirmed", boolean=True)
    def secondary_confirmed(self, person: Person) -> bool:
        return person.secondary_email_confirmed_at is not None


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        ("Society", {"fields": ("society_name", "programme_name", "office_email")}),
        (
            "Eligibility",
            {
                "fields": (
                    "mentee_min_training_year",
                    "mentee_max_consultant_years",
                    "mentor_min_practice_years",
                )
            },
        ),
        (
            "Terms and periods",
            {
                "fields": (
                    "mentor_term_years",
                    "mentee_term_years",
                    "minimum_meetings",
                    "checkin_after_days",
                    "feedback_after_months",
                    "completion_after_months",
                )
            },
        ),
        (
            "Matching, feedback and data",
            {
                "fields": (
                    "consensus_approvals",
                    "feedback_min_group_size",
                    "retention_months",
                    "privacy_notice_version",
                )
            },
        ),
    )

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ViewOnlyAdmin):
    list_display = ("occurred_at", "action", "object_type", "object_id", "actor")
    list_filter = ("action",)
    list_select_related = ("actor",)
    date_hierarchy = "occurred_at"
