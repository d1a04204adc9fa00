from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from programme.applications.models import Role
from programme.core.fields import EncryptedCharField, EncryptedTextField
from programme.core.models import Person
from programme.matching.models import Pairing
from programme.vetting.models import Enrolment

MAX_NOTES_LENGTH = 5000


class SignInLink(models.Model):
    """A participant's single-use sign-in link. Only a hash of its token is stored."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sign_in_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Sign-in link {self.pk} for person {self.person_id}"


class Theme(models.TextChoices):
    RESEARCH = "research", "Research"
    EDUCATION = "education", "Education"
    CLINICAL = "clinical", "Clinical practice"
    CAREER = "career", "Career development"
    OTHER = "other", "Other"


class Meeting(models.Model):
    """One meeting of a pair, logged by either partner.

    The topic line and the private notes are encrypted; the notes are shown
    to the pair only, never to staff.
    """

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField("date")
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(600)],
        help_text="How long the meeting lasted, in minutes.",
    )
    proposed_by = models.CharField(
        max_length=10, choices=Role.choices, help_text="Who proposed the meeting's topic."
    )
    theme = models.CharField(max_length=20, choices=Theme.choices)
    topic = EncryptedCharField(max_length=200, help_text="One line on what you discussed.")
    private_notes = EncryptedTextField(
        max_length=MAX_NOTES_LENGTH,
        blank=True,
        help_text="Seen only by you and your partner.",
    )
    recorded_by = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"Meeting {self.pk} of pairing {self.pairing_id}"


class CheckInAnswer(models.TextChoices):
    MET = "met", "We have met"
    IN_CONTACT = "in_contact", "We are in contact but have not met yet"
    CANNOT_REACH = "cannot_reach", "I cannot reach my partner"


class CheckIn(models.Model):
    """The one-month check-in of one participant of a pairing, and their answer."""

    pairing = models.ForeignKey(Pairing, on_delete=models.CASCADE, related_name="checkins")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="checkins")
    sent_on = models.DateField()
    reminded_on = models.DateField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=CheckInAnswer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    alert_resolved_at = models.DateTimeField(null=True, blank=True)
    alert_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-sent_on", "-id"]
        verbose_name = "check-in"
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "enrolment"], name="checkin_once_per_participant"
            ),
        ]
        permissions = [("resolve_checkin_alert", "Can mark a check-in alert resolved")]

    def __str__(self) -> str:
        return f"Check-in {self.pk} of pairing {self.pairing_id}"

    @property
    def has_open_alert(self) -> bool:
        """Whether the participant cannot reach their partner and no one has followed up yet."""
        return self.answer == CheckInAnswer.CANNOT_REACH and self.alert_resolved_at is None
