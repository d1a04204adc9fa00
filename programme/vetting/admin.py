"""Office screens for vetting: a page per application, a bulk action, and read-only records.

The application admin is registered again with a subclass, so the vetting
page and the bulk action sit beside the application list without changing
the applications app. Deciding and withdrawing need the
``applications.vet_application`` permission.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html

from programme.applications.admin import ApplicationAdmin
from programme.applications.models import Application, ApplicationStatus, Role
from programme.core.admin_search import BlindIndexSearchMixin, ViewOnlyAdmin
from programme.core.models import ProgrammeSettings
from programme.core.text import count_of
from programme.letters.models import LetterBatch
from programme.vetting.assessment import assess_application
from programme.vetting.bulletins import prepare_tips_bulletin
from programme.vetting.forms import DecisionForm, OfficeWithdrawalForm
from programme.vetting.models import Decision, Enrolment, VettingDecision
from programme.vetting.selectors import decisions_for
from programme.vetting.services import (
    BulkDecisionResult,
    VettingError,
    decide_eligible,
    decide_in_bulk,
    decide_not_eligible,
    is_decidable,
    request_information,
    withdraw_application,
)

VET_PERMISSION = "applications.vet_application"
CONTACT_PERMISSION = "applications.view_contact_details"
WITHDRAWABLE_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.INFORMATION_REQUESTED,
    ApplicationStatus.ELIGIBLE,
)


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def number_or_missing(value: int | None) -> str:
    return "Not given" if value is None else str(value)


def vetting_answers(application: Application, *, show_contacts: bool) -> list[tuple[str, str]]:
    """Return the answers the office weighs when vetting, as (question, answer) rows.

    The head of department's name and address appear only with ``show_contacts``.
    """
    person = application.person
    rows = [
        ("Name", person.full_name),
        ("Country of practice", person.country.name),
        ("Institution", person.institution),
        ("Membership", application.get_membership_status_display()),
        ("Membership number", application.membership_number or "Not given"),
    ]
    if application.role == Role.MENTOR:
        rows += [
            ("Years of independent practice", number_or_missing(application.practice_years)),
            ("Interested in research", yes_no(application.interest_research)),
            ("Interested in teaching", yes_no(application.interest_teaching)),
            ("Mentees at a time", number_or_missing(application.capacity)),
            ("Listed on the public mentors page", yes_no(application.showcase_consent)),
            ("Has mentored before", yes_no(application.prior_mentoring)),
        ]
    else:
        rows += [
            ("Career stage", application.get_career_stage_display() or "Not given"),
            ("Year of training", number_or_missing(application.training_year)),
            ("Years as consultant", number_or_missing(application.consultant_years)),
            ("Lacks mentoring locally", yes_no(application.lacks_local_mentoring)),
            (
                "Needs a mentor from the same country",
                yes_no(application.needs_same_country_for_language),
            ),
            ("Wants an academic mentor", yes_no(application.wants_academic_mentor)),
            ("Specific needs", application.specific_needs or "None given"),
            ("Has been mentored before", yes_no(application.prior_mentoring)),
        ]
    rows += [
        ("About earlier mentoring", application.prior_mentoring_details or "None given"),
        ("Areas", ", ".join(application.areas) or "None ticked"),
        ("Other skills", application.area_other_details or "None given"),
        ("Motivation", application.motivation),
    ]
    if application.role == Role.MENTEE:
        if show_contacts:
            rows += [
                ("Head of department", application.head_of_department_name or "Not given"),
                (
                    "Head of department's e-mail",
                    application.head_of_department_email or "Not given",
                ),
            ]
        else:
            rows.append(
                (
                    "Head of department",
                    "Hidden: your account may not see contact details.",
                )
            )
    return rows


def vetting_url(application: Application) -> str:
    return reverse("admin:applications_application_vetting", args=[application.pk])


def batch_reference(batch: LetterBatch) -> str:
    """Return the batch's description, linked to its admin page when that page exists."""
    try:
        url = reverse("admin:letters_letterbatch_change", args=[batch.pk])
    except NoReverseMatch:
        return format_html("“{}”", batch.description)
    return format_html('<a href="{}">“{}”</a>', url, batch.description)


class VettingApplicationAdmin(ApplicationAdmin):
    actions = ["decide_eligibility"]

    def has_vet_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VET_PERMISSION)

    def has_contact_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CONTACT_PERMISSION)

    def get_urls(self):
        vetting = path(
            "<path:object_id>/vetting/",
            self.admin_site.admin_view(self.vetting_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_vetting",
        )
        # Before the inherited patterns, whose "<path:object_id>/" would match first.
        return [vetting, *super().get_urls()]

    def get_list_display(self, request: HttpRequest):
        list_display = super().get_list_display(request)
        # Callers that only inspect the columns may pass None and get the base columns.
        if request is not None and self.has_vet_permission(request):
            # Next to the name, so the link stays in view on narrow screens.
            columns = list(list_display)
            columns.insert(columns.index("applicant") + 1, "vetting_link")
            return tuple(columns)
        return list_display

    def get_fieldsets(self, request: HttpRequest, obj=None):
        # The inherited fieldsets already leave out contacts for users without
        # applications.view_contact_details.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self.has_vet_permission(request):
            fieldsets = [("Vetting", {"fields": ("vetting_page_link",)}), *fieldsets]
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [*super().get_readonly_fields(request, obj), "vetting_page_link"]

    @admin.display(description="Vetting")
    def vetting_link(self, application: Application) -> str:
        return format_html('<a href="{}">Vet</a>', vetting_url(application))

    @admin.display(description="Vetting page")
    def vetting_page_link(self, application: Application) -> str:
        return format_html(
            '<a href="{}">Assess, decide or withdraw this application</a>',
            vetting_url(application),
        )

    # The vetting page.

    def vetting_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_vet_permission(request):
            raise PermissionDenied
        object_id = unquote(object_id)
        application = None
        if object_id.isdigit():
            application = (
                self.get_queryset(request).select_related("person").filter(pk=object_id).first()
            )
        if application is None:
            raise Http404(f"No application with number {object_id!r}.")

        decision_form = DecisionForm(prefix="decide")
        withdrawal_form = OfficeWithdrawalForm(prefix="withdraw")
        if request.method == "POST" and "_decide" in request.POST:
            decision_form = DecisionForm(request.POST, prefix="decide")
            if decision_form.is_valid():
                self.apply_decision(request, application, decision_form.cleaned_data)
                return HttpResponseRedirect(request.path)
        elif request.method == "POST" and "_withdraw" in request.POST:
            withdrawal_form = OfficeWithdrawalForm(request.POST, prefix="withdraw")
            if withdrawal_form.is_valid():
                self.apply_withdrawal(request, application, withdrawal_form.cleaned_data["reason"])
                return HttpResponseRedirect(request.path)

        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Vetting: {application.get_role_display().lower()} application "
            f"{application.pk}",
            "application": application,
            "assessment": assess_application(application),
            "answers": vetting_answers(
                application, show_contacts=self.has_contact_permission(request)
            ),
            "decisions": decisions_for(application),
            "enrolment": Enrolment.objects.filter(application=application).first(),
            "can_decide": is_decidable(application),
            "can_withdraw": application.status in WITHDRAWABLE_STATUSES,
            "decision_form": decision_form,
            "withdrawal_form": withdrawal_form,
        }
        return TemplateResponse(request, "vetting/admin/vetting_page.html", context)

    def apply_decision(self, request: HttpRequest, application: Application, data: dict) -> None:
        decision, reason = data["decision"], data["reason"]
        try:
            if decision == Decision.ELIGIBLE:
                enrolment = decide_eligible(
                    application=application, actor=request.user, reason=reason
                )
            elif decision == Decision.NOT_ELIGIBLE:
                decide_not_eligible(application=application, actor=request.user, reason=reason)
            else:
                request_information(application=application, actor=request.user, reason=reason)
        except VettingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return

        if decision == Decision.ELIGIBLE:
            letters = "the enrolment letter"
            if application.role == Role.MENTEE and application.head_of_department_email:
                letters = "the enrolment letter and the letter to the head of department"
            message = (
                f"Application {application.pk} is eligible. The applicant is enrolled until "
                f"{date_format(enrolment.ends_on, 'j F Y')}, and {letters} will be sent now."
            )
        elif decision == Decision.NOT_ELIGIBLE:
            message = (
                f"Application {application.pk} is not eligible. The letter with your reason "
                "will be sent now."
            )
        else:
            message = (
                f"More information was requested for application {application.pk}. The letter "
                "with your question will be sent now."
            )
        self.message_user(request, message, messages.SUCCESS)

    def apply_withdrawal(
        self, request: HttpRequest, application: Application, reason: str
    ) -> None:
        try:
            decision = withdraw_application(
                application=application, actor=request.user, reason=reason, by_applicant=False
            )
        except VettingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        if decision is None:
            self.message_user(
                request,
                f"Application {application.pk} was already withdrawn. Nothing changed.",
                messages.WARNING,
            )
        else:
            self.message_user(
                request, f"Application {application.pk} is withdrawn.", messages.SUCCESS
            )

    # The bulk action.

    @admin.action(
        description="Decide eligibility for the selected applications", permissions=["vet"]
    )
    def decide_eligibility(self, request: HttpRequest, queryset):
        """Show a confirmation page with the count, then decide all with one batch of letters."""
        applications = list(queryset.select_related("person").order_by("submitted_at", "pk"))
        if "apply" in request.POST:
            form = DecisionForm(request.POST)
            if form.is_valid():
                result = decide_in_bulk(
                    applications=applications,
                    decision=form.cleaned_data["decision"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                self.report_bulk_result(request, result, form.cleaned_data["decision"])
                return None
        else:
            form = DecisionForm()

        programme = ProgrammeSettings.objects.get_current()
        rows = [
            {
                "application": application,
                "decidable": is_decidable(application),
                "assessment": assess_application(application, programme=programme),
            }
            for application in applications
        ]
        decidable_count = sum(1 for row in rows if row["decidable"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Decide eligibility for the selected applications",
            "rows": rows,
            "selected_count": len(rows),
            "decidable_count": decidable_count,
            "skipped_count": len(rows) - decidable_count,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "vetting/admin/bulk_decision.html", context)

    def report_bulk_result(
        self, request: HttpRequest, result: BulkDecisionResult, decision: str
    ) -> None:
        if result.decided:
            letter_count = result.batch.letters.count()
            self.message_user(
                request,
                format_html(
                    "{} decided: {}. Their {} wait as drafts in the "
                    "batch {} until an office user approves them for sending.",
                    count_of(len(result.decided), "application"),
                    Decision(decision).label.lower(),
                    count_of(letter_count, "letter"),
                    batch_reference(result.batch),
                ),
                messages.SUCCESS,
            )
        if result.skipped:
            level = messages.WARNING if result.decided else messages.ERROR
            self.message_user(
                request,
                f"{count_of(len(result.skipped), 'application')} skipped and left unchanged: "
                + " ".join(reason for _, reason in result.skipped),
                level,
            )


admin.site.unregister(Application)
admin.site.register(Application, VettingApplicationAdmin)


class ApplicantColumnMixin:
    """An applicant column and an application link for models that belong to an application."""

    @admin.display(description="Applicant")
    def applicant(self, obj) -> str:
        return obj.application.person.full_name

    @admin.display(description="Application", ordering="application_id")
    def application_link(self, obj) -> str:
        url = reverse("admin:applications_application_change", args=[obj.application_id])
        return format_html('<a href="{}">Application {}</a>', url, obj.application_id)


@admin.register(Enrolment)
class EnrolmentAdmin(ApplicantColumnMixin, BlindIndexSearchMixin, ViewOnlyAdmin):
    person_path = "application__person__"
    list_display = (
        "id",
        "applicant",
        "role",
        "status",
        "starts_on",
        "ends_on",
        "application_link",
    )
    list_display_links = ("id", "applicant")
    list_filter = ("role", "status")
    list_select_related = ("application__person",)
    # The search box hashes the term and compares it with these indexes.
    search_fields = (
        "application__person__primary_email_index",
        "application__person__secondary_email_index",
    )
    ordering = ("-starts_on", "-id")
    actions = ["send_tips_bulletin"]
    fields = (
        "application_link",
        "applicant",
        "role",
        "status",
        "starts_on",
        "ends_on",
        "created_at",
    )
    readonly_fields = fields

    def has_bulletin_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("applications.vet_application")

    @admin.action(
        description="Prepare the tips bulletin for the selected participants",
        permissions=["bulletin"],
    )
    def send_tips_bulletin(self, request: HttpRequest, queryset) -> HttpResponse | None:
        batch = prepare_tips_bulletin(enrolments=list(queryset), actor=request.user)
        if batch is None:
            self.message_user(
                request, "None of the selected enrolments is active.", messages.WARNING
            )
            return None
        self.message_user(
            request,
            "The bulletin is ready as drafts. Check the preview, then approve it to send.",
        )
        return HttpResponseRedirect(reverse("admin:letters_letterbatch_review", args=[batch.pk]))


@admin.register(VettingDecision)
class VettingDecisionAdmin(ApplicantColumnMixin, ViewOnlyAdmin):
    list_display = (
        "decided_at",
        "application_link",
        "applicant",
        "decision",
        "decided_by",
        "by_applicant",
    )
    list_display_links = ("decided_at",)
    list_filter = ("decision", "by_applicant")
    list_select_related = ("application__person", "decided_by")
    ordering = ("-decided_at", "-id")
    date_hierarchy = "decided_at"
    fields = (
        "application_link",
        "applicant",
        "decision",
        "reason",
        "decided_by",
        "by_applicant",
        "decided_at",
    )
    readonly_fields = fields
