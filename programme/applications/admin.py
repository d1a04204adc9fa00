from django.contrib import admin
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django_countries.filters import CountryFilter

from programme.applications.models import Application
from programme.core.admin_search import BlindIndexSearchMixin, ReadableAdmin
from programme.core.languages import LANGUAGE_NAMES

# Shown only to users with applications.view_contact_details: the applicant's
# addresses and the head of department's name and address.
CONTACT_FIELDS = frozenset(
    {
        "primary_email",
        "secondary_email",
        "head_of_department_name",
        "head_of_department_email",
    }
)


def confirmation_icon(label: str, confirmed: bool) -> str:
    icon = "icon-yes.svg" if confirmed else "icon-no.svg"
    state = "confirmed" if confirmed else "not confirmed"
    return format_html(
        '<span title="{} address {}">{} <img src="{}" alt="{}"></span>',
        label,
        state,
        label,
        static(f"admin/img/{icon}"),
        state,
    )


@admin.register(Application)
class ApplicationAdmin(BlindIndexSearchMixin, ReadableAdmin):
    person_path = "person__"
    list_display = (
        "id",
        "applicant",
        "role",
        "status",
        "country",
        "submitted_on",
        "addresses_confirmed",
    )
    list_display_links = ("id", "applicant")
    list_filter = ("role", "status", ("person__country", CountryFilter))
    list_select_related = ("person",)
    # The search box hashes the term and compares it with these indexes.
    search_fields = ("person__primary_email_index", "person__secondary_email_index")
    ordering = ("-submitted_at", "-id")
    date_hierarchy = "submitted_at"
    list_per_page = 50

    class Media:
        css = {"all": ("css/admin.css",)}

    fieldsets = (
        (
            "Applicant",
            {
                "fields": (
                    "person_link",
                    "applicant",
                    "primary_email",
                    "primary_confirmed",
                    "secondary_email",
                    "secondary_confirmed",
                    "country",
                    "institution",
                    "gender",
                    "languages",
                )
            },
        ),
        ("Application", {"fields": ("role", "status", "submitted_at")}),
        (
            "Membership and experience",
            {
                "fields": (
                    "membership_status",
                    "membership_number",
                    "prior_mentoring",
                    "prior_mentoring_details",
                    "motivation",
                    "areas_list",
                    "area_other_details",
                )
            },
        ),
        (
            "Mentee",
            {
                "classes": ("collapse",),
                "fields": (
                    "career_stage",
                    "training_year",
                    "consultant_years",
                    "specific_needs",
                    "lacks_local_mentoring",
                    "needs_same_country_for_language",
                    "wants_academic_mentor",
                    "head_of_department_name",
                    "head_of_department_email",
                ),
            },
        ),
        (
            "Mentor",
            {
                "classes": ("collapse",),
                "fields": (
                    "practice_years",
                    "interest_research",
                    "interest_teaching",
                    "capacity",
                    "showcase_consent",
                ),
            },
        ),
        ("Consent", {"fields": ("privacy_notice_version", "consented_at")}),
    )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        hidden_fields = set()
        if not request.user.has_perm("applications.view_contact_details"):
            hidden_fields |= CONTACT_FIELDS
        if not request.user.has_perm("core.view_person"):
            hidden_fields.add("person_link")
        fieldsets = [
            (title, options | {"fields": [f for f in options["fields"] if f not in hidden_fields]})
            for title, options in fieldsets
        ]
        if obj is None:
            return fieldsets
        hidden = "Mentor" if obj.role == "mentee" else "Mentee"
        return [
            (title, options | {"classes": ()}) for title, options in fieldsets if title != hidden
        ]

    def get_readonly_fields(self, request, obj=None):
        names = []
        for _, options in self.fieldsets:
            names.extend(options["fields"])
        return names

    def can_search_by_email(self, request) -> bool:
        return request.user.has_perm("applications.view_contact_details")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # An application stays as the applicant submitted it, so the page is
        # view-only. The office corrects contact details on the person's page.
        return False

    @admin.display(description="Submitted", ordering="submitted_at")
    def submitted_on(self, application: Application):
        return application.submitted_at.date()

    @admin.display(description="Applicant")
    def applicant(self, application: Application) -> str:
        return application.person.full_name

    @admin.display(description="Person record")
    def person_link(self, application: Application) -> str:
        url = reverse("admin:core_person_change", args=[application.person_id])
        return format_html(
            '<a href="{}">Edit contact details (person {})</a>', url, application.person_id
        )

    @admin.display(description="Country", ordering="person__country")
    def country(self, application: Application) -> str:
        return application.person.country.name

    @admin.display(description="First e-mail address")
    def primary_email(self, application: Application) -> str:
        return application.person.primary_email

    @admin.display(description="Second e-mail address")
    def secondary_email(self, application: Application) -> str:
        return application.person.secondary_email

    @admin.display(description="Institution")
    def institution(self, application: Application) -> str:
        return application.person.institution

    @admin.display(description="Gender")
    def gender(self, application: Application) -> str:
        return application.person.get_gender_display()

    @admin.display(description="Languages")
    def languages(self, application: Application) -> str:
        return ", ".join(LANGUAGE_NAMES.get(code, code) for code in application.person.languages)

    @admin.display(description="Areas")
    def areas_list(self, application: Application) -> str:
        return ", ".join(application.areas) or "None ticked"

    @admin.display(description="Confirmed")
    def addresses_confirmed(self, application: Application) -> str:
        """Both confirmation flags in one narrow column, each icon with its own text."""
        person = application.person
        return format_html(
            "{}&nbsp;{}",
            confirmation_icon("1st", person.primary_email_confirmed_at is not None),
            confirmation_icon("2nd", person.secondary_email_confirmed_at is not None),
        )

    @admin.display(description="1st address confirmed", boolean=True)
    def primary_confirmed(self, application: Application) -> bool:
        return application.person.primary_email_confirmed_at is not None

    @admin.display(description="2nd address confirmed", boolean=True)
    def secondary_confirmed(self, application: Application) -> bool:
        return application.person.secondary_email_confirmed_at is not None
