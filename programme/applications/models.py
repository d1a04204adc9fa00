from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from programme.core.fields import EncryptedCharField, EncryptedEmailField, EncryptedTextField
from programme.core.models import Person

# Bounds on the numbers an applicant can give: wide enough for any training
# system, narrow enough to catch a typing slip such as 200 for 20.
MAX_TRAINING_YEAR = 10
MAX_CONSULTANT_YEARS = 40
MAX_PRACTICE_YEARS = 50
MAX_MENTOR_CAPACITY = 5


class Role(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


# The areas a mentor can contribute to or a mentee wants, in form order.
AREA_LABELS = {
    "area_research": "Research",
    "area_education": "Education",
    "area_clinical": "Clinical practice",
    "area_career": "Career development",
    "area_other": "Other skills",
}


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    INFORMATION_REQUESTED = "information_requested", "More information needed"
    ELIGIBLE = "eligible", "Eligible"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    WITHDRAWN = "withdrawn", "Withdrawn"


# An applicant may hold one application per role in these states.
OPEN_STATUSES = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.INFORMATION_REQUESTED,
    ApplicationStatus.ELIGIBLE,
)


class MembershipStatus(models.TextChoices):
    MEMBER = "member", "Member of the society"
    APPLIED = "applied", "Membership applied for"
    NOT_MEMBER = "not_member", "Not a member"


class CareerStage(models.TextChoices):
    TRAINEE = "trainee", "Trainee (resident or registrar)"
    CONSULTANT = "consultant", "Consultant in the early years after appointment"


class Application(models.Model):
    """One application to the programme, as a mentor or as a mentee.

    Free text and anything that identifies a person is encrypted. Flags and
    numbers used for vetting, matching and reports stay plain.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="applications")
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(
        max_length=30, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    submitted_at = models.DateTimeField(db_index=True)
    submission_token = models.CharField(
        max_length=64,
        unique=True,
        help_text="Random value from the form, so a repeated POST stores one application.",
    )

    membership_status = models.CharField(max_length=20, choices=MembershipStatus.choices)
    membership_number = EncryptedCharField(max_length=40, blank=True)
    prior_mentoring = models.BooleanField(
        default=False,
        help_text="Mentor: has mentored before. Mentee: has been mentored before.",
    )
    prior_mentoring_details = EncryptedTextField(max_length=1000, blank=True)
    motivation = EncryptedTextField(max_length=3000)

    area_research = models.BooleanField("area: research", default=False)
    area_education = models.BooleanField("area: education", default=False)
    area_clinical = models.BooleanField("area: clinical practice", default=False)
    area_career = models.BooleanField("area: career development", default=False)
    area_other = models.BooleanField("area: other skills", default=False)
    area_other_details = EncryptedCharField("other skills", max_length=300, blank=True)

    # Mentee only.
    career_stage = models.CharField(max_length=20, choices=CareerStage.choices, blank=True)
    training_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_TRAINING_YEAR)],
    )
    consultant_years = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_CONSULTANT_YEARS)]
    )
    specific_needs = EncryptedTextField(max_length=2000, blank=True)
    lacks_local_mentoring = models.BooleanField(
        default=False, help_text="No access to head and neck radiology mentoring locally."
    )
    needs_same_country_for_language = models.BooleanField(default=False)
    wants_academic_mentor = models.BooleanField(default=False)
    head_of_department_name = EncryptedCharField(max_length=200, blank=True)
    head_of_department_email = EncryptedEmailField(max_length=254, blank=True)

    # Mentor only.
    practice_years = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_PRACTICE_YEARS)]
    )
    interest_research = models.BooleanField(default=False)
    interest_teaching = models.BooleanField(default=False)
    capacity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_MENTOR_CAPACITY)],
    )
    showcase_consent = models.BooleanField(default=False)

    privacy_notice_version = models.CharField(max_length=20)
    consented_at = models.DateTimeField()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["role", "status"]),
            # The matching queue's order, so its first page reads a few rows.
            models.Index(
                fields=["role", "-lacks_local_mentoring", "submitted_at", "id"],
                name="application_queue_order",
            ),
        ]
        permissions = [
            ("vet_application", "Can decide on eligibility and withdraw applications"),
            ("view_contact_details", "Can see applicants' and heads of department's contacts"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="mentee") | models.Q(capacity__isnull=True),
                name="application_mentee_has_no_capacity",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="mentor") | models.Q(capacity__gte=1),
                name="application_mentor_has_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} application {self.pk}"

    @property
    def areas(self) -> list[str]:
        """Labels of the areas ticked, in form order."""
        return [label for field, label in AREA_LABELS.items() if getattr(self, field)]
