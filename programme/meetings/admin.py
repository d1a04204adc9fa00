from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from programme.core.admin_search import ViewOnlyAdmin
from programme.matching.models import PairingStatus
from programme.meetings.checkins import RESOLVE_PERMISSION, CheckInError, resolve_checkin_alert
from programme.meetings.models import CheckIn, CheckInAnswer

# An alert stays open until the office resolves it or the pairing stops running.
OPEN_ALERT = Q(
    answer=CheckInAnswer.CANNOT_REACH,
    alert_resolved_at__isnull=True,
    pairing__status=PairingStatus.ENGAGED,
)


class AlertFilter(admin.SimpleListFilter):
    title = "alert"
    parameter_name = "alert"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved"), ("none", "No alert")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(OPEN_ALERT)
        if self.value() == "resolved":
            return queryset.filter(alert_resolved_at__isnull=False)
        if self.value() == "none":
            return queryset.exclude(answer=CheckInAnswer.CANNOT_REACH)
        return queryset


@admin.register(CheckIn)
class CheckInAdmin(ViewOnlyAdmin):
    """One-month check-ins, with open "cannot reach my partner" alerts listed first."""

    list_display = (
        "alert",
        "participant",
        "role",
        "pairing_link",
        "sent_on",
        "reminded_on",
        "answer",
        "answered_at",
        "alert_resolved_at",
    )
    list_display_links = ("participant",)
    list_filter = (AlertFilter, "answer")
    actions = ["mark_alert_resolved"]
    fields = (
        "participant",
        "role",
        "pairing_link",
        "sent_on",
        "reminded_on",
        "answer",
        "answered_at",
        "alert_resolved_at",
        "alert_resolved_by",
    )
    readonly_fields = fields

    def has_resolve_alert_permission(self, request) -> bool:
        return request.user.has_perm(RESOLVE_PERMISSION)

    def get_queryset(self, request):
        # Annotated before ordering, because the ordering uses the annotation.
        return (
            self.model._default_manager.select_related(
                "pairing", "enrolment__application__person", "alert_resolved_by"
            )
            .annotate(
                open_alert=Case(
                    When(OPEN_ALERT, then=Value(1)), default=Value(0), output_field=IntegerField()
                )
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request):
        return ["-open_alert", "-sent_on", "-id"]

    @admin.display(description="Alert", ordering="open_alert")
    def alert(self, checkin: CheckIn) -> str:
        if checkin.has_open_alert and checkin.pairing.status != PairingStatus.ENGAGED:
            return f"Closed: the pairing is {checkin.pairing.get_status_display().lower()}"
        if checkin.has_open_alert:
            return "Open: cannot reach partner"
        if checkin.alert_resolved_at is not None:
            return "Resolved"
        return "-"

    @admin.display(description="Participant")
    def participant(self, checkin: CheckIn) -> str:
        return checkin.enrolment.application.person.full_name

    @admin.display(description="Role", ordering="enrolment__role")
    def role(self, checkin: CheckIn) -> str:
        return checkin.enrolment.get_role_display()

    @admin.display(description="Pairing", ordering="pairing")
    def pairing_link(self, checkin: CheckIn) -> str:
        url = reverse("admin:matching_pairing_change", args=[checkin.pairing_id])
        return format_html('<a href="{}">{}</a>', url, checkin.pairing)

    @admin.action(description="Mark alert resolved", permissions=["resolve_alert"])
    def mark_alert_resolved(self, request: HttpRequest, queryset) -> None:
        resolved = 0
        for checkin in queryset:
            try:
                if resolve_checkin_alert(checkin=checkin, actor=request.user):
                    resolved += 1
            except CheckInError as error:
                self.message_user(request, str(error), messages.ERROR)
                return
        skipped = len(queryset) - resolved
        noun = "alert" if resolved == 1 else "alerts"
        self.message_user(request, f"{resolved} {noun} marked resolved.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped}: only check-ins with an open alert can be resolved.",
                messages.WARNING,
            )
