from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_countries.fields import CountryField

from programme.core.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedEmailField,
)


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Another gender"
    NOT_STATED = "not_stated", "Prefer not to say"


class Person(models.Model):
    """Someone who applied, with contact details encrypted at rest.

    Each e-mail address has a blind index beside it, so the office can find a
    person by exact address and duplicates can be spotted without decrypting.
    """

    given_name = EncryptedCharField(max_length=100)
    family_name = EncryptedCharField(max_length=100)
    primary_email = EncryptedEmailField("first e-mail address", max_length=254)
    primary_email_index = BlindIndexField(source="primary_email")
    primary_email_confirmed_at = models.DateTimeField(
        "first address confirmed at", null=True, blank=True
    )
    secondary_email = EncryptedEmailField("second e-mail address", max_length=254)
    secondary_email_index = BlindIndexField(source="secondary_email")
    secondary_email_confirmed_at = models.DateTimeField(
        "second address confirmed at", null=True, blank=True
    )
    institution = EncryptedCharField(max_length=200)
    country = CountryField(help_text="Country of practice.")
    gender = models.CharField(max_length=20, choices=Gender.choices)
    languages = models.JSONField(
        default=list, blank=True, help_text="Languages the person can hold a meeting in."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return f"Person {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ProgrammeSettingsManager(models.Manager):
    def get_current(self) -> "ProgrammeSettings":
        settings_row, _ = self.get_or_create(pk=ProgrammeSettings.SINGLETON_ID)
        return settings_row


class ProgrammeSettings(models.Model):
    """The society's name and the programme's thresholds and periods: one row.

    Defaults are the reference programme's rules. The office edits them in
    the admin; a society with other rules changes them there, not in code.
    """

    SINGLETON_ID = 1

    society_name = models.CharField(
        "society name", max_length=200, default="Example Society of Head and Neck Radiology"
    )
    programme_name = models.CharField(max_length=200, default="Mentoring Programme")
    office_email = models.EmailField(default="mentoring@example.org")
    mentee_min_training_year = models.PositiveSmallIntegerField(
        "minimum year of training for trainee mentees",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Trainees are eligible from this year of training on.",
    )
    mentee_max_consultant_years = models.PositiveSmallIntegerField(
        "maximum years as consultant for mentees",
        default=5,
        validators=[MaxValueValidator(40)],
        help_text="Consultants are eligible up to this many years after appointment.",
    )
    mentor_min_practice_years = models.PositiveSmallIntegerField(
        "minimum years of practice for mentors",
        default=5,
        validators=[MaxValueValidator(40)],
        help_text="Years of independent subspecialty practice a mentor needs.",
    )
    mentor_term_years = models.PositiveSmallIntegerField(
        "mentor term (years)", default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    mentee_term_years = models.PositiveSmallIntegerField(
        "mentee term (years)", default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    minimum_meetings = models.PositiveSmallIntegerField(
        "minimum number of meetings",
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="Meetings every pair should hold at least; pairs persist for these.",
    )
    checkin_after_days = models.PositiveSmallIntegerField(
        "check-in after (days)",
        default=30,
        help_text="Days after engagement when the check-in letter goes out.",
    )
    feedback_after_months = models.PositiveSmallIntegerField(
        "feedback questionnaire after (months)",
        default=6,
        help_text="Months after engagement when the feedback questionnaire goes out.",
    )
    completion_after_months = models.PositiveSmallIntegerField(
        "completion after (months)",
        default=12,
        help_text="Months after engagement when a pairing completes.",
    )
    consensus_approvals = models.PositiveSmallIntegerField(
        "approvals needed for a pairing",
        null=True,
        blank=True,
        help_text="Approvals a proposed pairing needs; empty means every other active "
        "core-team member.",
    )
    sign_in_link_minutes = models.PositiveSmallIntegerField(
        "sign-in link valid for (minutes)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="How long a participant's sign-in link works. Each link works once.",
    )
    participant_idle_minutes = models.PositiveSmallIntegerField(
        "participant idle sign-out after (minutes)",
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="A participant who does nothing for this long is signed out.",
    )
    checkin_reminder_after_days = models.PositiveSmallIntegerField(
        "check-in reminder after (days)",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days without an answer to the check-in before the one reminder goes out.",
    )
    questionnaire_reminder_after_days = models.PositiveSmallIntegerField(
        "questionnaire reminder after (days)",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days without a response to a questionnaire before the one reminder goes out.",
    )
    certificate_signatory = models.CharField(
        "certificate signatory",
        max_length=200,
        default="Chair of the Mentoring Programme",
        help_text="Name and title printed above the signature line of certificates.",
    )
    feedback_min_group_size = models.PositiveSmallIntegerField(
        "smallest feedback group shown",
        default=5,
        validators=[MinValueValidator(2)],
        help_text="Smaller groups of feedback answers are shown only as 'too few responses'.",
    )
    retention_months = models.PositiveSmallIntegerField(
        "retention after involvement ends (months)",
        default=12,
        help_text="Months personal data is kept after a person's involvement ends.",
    )
    privacy_notice_version = models.CharField(
        max_length=20,
        default="1.0",
        help_text="Version of the privacy notice applicants consent to.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProgrammeSettingsManager()

    class Meta:
        verbose_name = "programme settings"
        verbose_name_plural = "programme settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="programme_settings_singleton"),
        ]

    def __str__(self) -> str:
        return f"{self.society_name}: {self.programme_name}"


class AuditEvent(models.Model):
    """A business event: who did what to which object, and when. Never a value."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(
        max_length=100, help_text="Dotted name, such as applications.address.confirmed."
    )
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"


class RateLimitCounter(models.Model):
    """Requests counted per hashed client key and fixed time window."""

    scope = models.CharField(max_length=40)
    key_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key_hash", "window_start"], name="rate_limit_window_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%Y-%m-%d %H:%M}: {self.count}"
