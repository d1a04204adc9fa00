from django.conf import settings
from django.db import models
from django.utils import timezone

from programme.applications.models import Application, Role
from programme.core.fields import EncryptedTextField

# Maximum length of a decision's reason, in characters.
MAX_REASON_LENGTH = 2000


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Enrolment(models.Model):
    """The term an eligible applicant takes part for, as a mentor or as a mentee.

    The term length comes from the programme settings when the application is
    found eligible; later changes to the settings leave existing terms alone.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="enrolment"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="Last day of the term.")
    status = models.CharField(
        max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["role", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="enrolment_ends_on_or_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} enrolment {self.pk}"


class Decision(models.TextChoices):
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    INFORMATION_REQUESTED = "information_requested", "More information needed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class VettingDecision(models.Model):
    """One step in vetting an application: who decided what, when, and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="vetting_decisions"
    )
    decision = models.CharField(max_length=30, choices=Decision.choices)
    reason = EncryptedTextField(max_length=MAX_REASON_LENGTH, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_applicant = models.BooleanField(
        default=False, help_text="The applicant withdrew through the link in their e-mail."
    )
    decided_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()}: application {self.application_id}"
