from django.conf import settings
from django.db import models
from django.db.models import F, Q

from programme.applications.models import Role
from programme.core.fields import EncryptedTextField
from programme.vetting.models import Enrolment

MAX_NOTE_LENGTH = 2000


class PairingStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed, awaiting the core team"
    OBJECTED = "objected", "Objected to"
    ENGAGED = "engaged", "Engaged"
    COMPLETED = "completed", "Completed"
    ENDED = "ended", "Ended early"


# A mentee may be in at most one pairing in these states at a time.
ACTIVE_STATUSES = (PairingStatus.PROPOSED, PairingStatus.ENGAGED)


class EndReason(models.TextChoices):
    NO_CONTACT = "no_contact", "No contact between the pair"
    CHEMISTRY = "chemistry", "The pairing did not work (chemistry)"
    CIRCUMSTANCES = "circumstances", "Changed circumstances"
    OTHER = "other", "Other"


class MenteeOutcome(models.TextChoices):
    REQUEUED = "requeued", "Back in the matching queue"
    WITHDRAWN = "withdrawn", "Withdrawn from the programme"


class Pairing(models.Model):
    """A mentor and a mentee: proposed by a core-team member, engaged by consensus.

    Database constraints back the rules that concurrency could break: a mentee
    is in at most one proposed or engaged pairing, and an engaged pairing holds
    one of the mentor's numbered places, which are unique per mentor and never
    above the capacity copied onto the row when it was engaged.
    """

    mentor_enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="mentor_pairings"
    )
    mentee_enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="mentee_pairings"
    )
    status = models.CharField(
        max_length=20, choices=PairingStatus.choices, default=PairingStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    proposal_note = EncryptedTextField(max_length=MAX_NOTE_LENGTH, blank=True)
    overridden_rules = models.JSONField(
        default=list, blank=True, help_text="Codes of the hard rules this pairing overrides."
    )
    override_reason = EncryptedTextField(max_length=MAX_NOTE_LENGTH, blank=True)

    mentor_place = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Which of the mentor's places an engaged pairing holds."
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="The mentor's capacity when the pairing was engaged."
    )
    engaged_on = models.DateField(null=True, blank=True)
    checkin_due_on = models.DateField("check-in due on", null=True, blank=True)
    feedback_due_on = models.DateField(null=True, blank=True)
    completion_due_on = models.DateField(null=True, blank=True)

    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = EncryptedTextField(max_length=MAX_NOTE_LENGTH, blank=True)
    mentee_outcome = models.CharField(max_length=20, choices=MenteeOutcome.choices, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        permissions = [
            ("propose_pairing", "Can propose a pairing"),
            ("review_pairing", "Can approve or object to a proposed pairing"),
            ("end_pairing", "Can end a pairing"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee_enrolment"],
                condition=Q(status__in=["proposed", "engaged"]),
                name="pairing_one_active_per_mentee",
            ),
            models.UniqueConstraint(
                fields=["mentor_enrolment", "mentor_place"],
                condition=Q(status="engaged"),
                name="pairing_mentor_place_unique",
            ),
            models.CheckConstraint(
                condition=~Q(status="engaged")
                | (
                    Q(mentor_place__gte=1)
                    & Q(mentor_capacity__isnull=False)
                    & Q(mentor_place__lte=F("mentor_capacity"))
                ),
                name="pairing_engaged_within_capacity",
            ),
            models.CheckConstraint(
                condition=~Q(mentor_enrolment=F("mentee_enrolment")),
                name="pairing_two_enrolments",
            ),
        ]

    def __str__(self) -> str:
        return f"Pairing {self.pk} ({self.get_status_display()})"

    def role_of(self, enrolment_id: int) -> str:
        """Return the role in this pairing of the given mentor or mentee enrolment."""
        return Role.MENTOR if enrolment_id == self.mentor_enrolment_id else Role.MENTEE

    def partner_enrolment(self, role: str) -> Enrolment:
        """Return the enrolment of the other person, seen from the one in ``role``."""
        return self.mentee_enrolment if role == Role.MENTOR else self.mentor_enrolment


class Verdict(models.TextChoices):
    APPROVE = "approve", "Approve"
    OBJECT = "object", "Object"


class PairingReview(models.Model):
    """A core-team member's approval of, or objection to, a proposed pairing."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    reason = EncryptedTextField(max_length=MAX_NOTE_LENGTH, blank=True)
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reviewed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pairing", "reviewer"], name="review_once_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} on pairing {self.pairing_id}"


class WaitingMentee(Enrolment):
    """Mentee enrolments as the matching queue lists them.

    A proxy with no table and no permissions of its own: it gives the queue
    its entry on the admin index. The queue's admin checks
    ``matching.propose_pairing``.
    """

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = "waiting mentee"
        verbose_name_plural = "matching queue"
