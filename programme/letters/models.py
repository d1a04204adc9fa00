import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe

from programme.core.fields import EncryptedCharField, EncryptedTextField
from programme.core.models import Person
from programme.letters import placeholders


class LetterKind(models.TextChoices):
    APPLICATION_RECEIVED = "application_received", "Application received"
    ADDRESS_CONFIRMATION = "address_confirmation", "Address confirmation"
    ENROLMENT_MENTOR = "enrolment_mentor", "Enrolment (mentor)"
    ENROLMENT_MENTEE = "enrolment_mentee", "Enrolment (mentee)"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"
    INFORMATION_REQUESTED = "information_requested", "More information needed"
    HEAD_OF_DEPARTMENT = "head_of_department", "Head of department"
    TIPS_BULLETIN = "tips_bulletin", "Tips bulletin"
    ENGAGEMENT = "engagement", "Engagement (to both of a pair)"
    PAIRING_ENDED = "pairing_ended", "Pairing ended"
    REENROLMENT_INVITATION = "reenrolment_invitation", "Re-enrolment invitation (mentor)"
    SIGN_IN_LINK = "sign_in_link", "Sign-in link (participant)"
    CHECKIN = "checkin", "One-month check-in"
    CHECKIN_REMINDER = "checkin_reminder", "One-month check-in reminder"
    CHECKIN_ALERT = "checkin_alert", "Participant cannot reach their partner (to the office)"
    WITHDRAWAL_NOTICE = "withdrawal_notice", "Participant withdrew (to the office)"
    QUESTIONNAIRE_INVITATION = "questionnaire_invitation", "Questionnaire invitation"
    QUESTIONNAIRE_REMINDER = "questionnaire_reminder", "Questionnaire reminder"
    CERTIFICATE = "certificate", "Completion certificate"


COMMON_PLACEHOLDERS = frozenset(
    {
        "recipient_name",
        "society_name",
        "programme_name",
        "office_email",
        "site_url",
        "today",
    }
)
PLACEHOLDERS: dict[str, frozenset[str]] = {
    LetterKind.APPLICATION_RECEIVED: COMMON_PLACEHOLDERS
    | {"role", "confirmation_link", "withdraw_link"},
    LetterKind.ADDRESS_CONFIRMATION: COMMON_PLACEHOLDERS | {"role", "confirmation_link"},
    LetterKind.ENROLMENT_MENTOR: COMMON_PLACEHOLDERS
    | {"term_start", "term_end", "term_years", "capacity", "tips_link"},
    LetterKind.ENROLMENT_MENTEE: COMMON_PLACEHOLDERS
    | {"term_start", "term_end", "head_of_department_name", "tips_link"},
    LetterKind.NOT_ELIGIBLE: COMMON_PLACEHOLDERS | {"role", "reason", "eligibility_link"},
    LetterKind.INFORMATION_REQUESTED: COMMON_PLACEHOLDERS | {"role", "reason"},
    LetterKind.HEAD_OF_DEPARTMENT: COMMON_PLACEHOLDERS
    | {"mentee_name", "mentee_institution", "term_start", "term_end", "how_it_works_link"},
    LetterKind.TIPS_BULLETIN: COMMON_PLACEHOLDERS | {"tips_link"},
    # One letter to both: recipient_name names the two of them.
    LetterKind.ENGAGEMENT: COMMON_PLACEHOLDERS
    | {
        "mentor_name",
        "mentor_emails",
        "mentor_country",
        "mentor_institution",
        "mentor_areas",
        "mentee_name",
        "mentee_emails",
        "mentee_country",
        "mentee_institution",
        "mentee_areas",
        "mentee_needs",
        "minimum_meetings",
        "checkin_due",
        "feedback_due",
        "completion_due",
        "tips_link",
        "portal_link",
    },
    LetterKind.PAIRING_ENDED: COMMON_PLACEHOLDERS | {"partner_name", "end_reason", "next_steps"},
    LetterKind.REENROLMENT_INVITATION: COMMON_PLACEHOLDERS | {"term_end", "apply_link"},
    LetterKind.SIGN_IN_LINK: COMMON_PLACEHOLDERS | {"sign_in_link", "link_minutes"},
    # One letter each, so that each partner's answer links are their own.
    LetterKind.CHECKIN: COMMON_PLACEHOLDERS
    | {"partner_name", "met_link", "in_contact_link", "cannot_reach_link", "portal_link"},
    LetterKind.CHECKIN_REMINDER: COMMON_PLACEHOLDERS
    | {"partner_name", "met_link", "in_contact_link", "cannot_reach_link", "portal_link"},
    LetterKind.CHECKIN_ALERT: COMMON_PLACEHOLDERS
    | {"participant_name", "role", "partner_name", "answered_on", "alerts_link"},
    LetterKind.WITHDRAWAL_NOTICE: COMMON_PLACEHOLDERS
    | {"participant_name", "role", "reason", "withdrawn_on"},
    LetterKind.QUESTIONNAIRE_INVITATION: COMMON_PLACEHOLDERS
    | {"partner_name", "questionnaire_title", "questionnaire_link"},
    LetterKind.QUESTIONNAIRE_REMINDER: COMMON_PLACEHOLDERS
    | {"partner_name", "questionnaire_title", "questionnaire_link"},
    LetterKind.CERTIFICATE: COMMON_PLACEHOLDERS
    | {
        "role",
        "programme_start",
        "programme_end",
        "verification_code",
        "verify_link",
        "portal_link",
    },
}


class LetterTemplateManager(models.Manager):
    def for_kind(self, kind: str) -> "LetterTemplate":
        """Return the kind's template, creating it from the default text on first use."""
        from programme.letters.defaults import DEFAULT_TEMPLATES

        default = DEFAULT_TEMPLATES[kind]
        template, _ = self.get_or_create(kind=kind, defaults=default)
        return template


class LetterTemplate(models.Model):
    """The wording of one kind of letter, edited by the office."""

    kind = models.CharField(max_length=40, choices=LetterKind.choices, unique=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(
        max_length=20000,
        help_text="Plain text. A blank line starts a new paragraph. Placeholders are written "
        "{{ name }}; the list above shows the ones this letter can use.",
    )
    attach_pdf = models.BooleanField(
        "attach as PDF", default=False, help_text="Also attach the letter as a PDF document."
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterTemplateManager()

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        allowed = PLACEHOLDERS.get(self.kind, COMMON_PLACEHOLDERS)
        errors = {}
        for field in ("subject", "body"):
            problems = placeholders.find_problems(getattr(self, field), allowed)
            if problems:
                errors[field] = problems
        if "\n" in self.subject or "\r" in self.subject:
            errors.setdefault("subject", []).append("The subject must be on one line.")
        if errors:
            raise ValidationError(errors)

    @property
    def allowed_placeholders(self) -> list[str]:
        return sorted(PLACEHOLDERS.get(self.kind, COMMON_PLACEHOLDERS))


class LetterBatch(models.Model):
    """Letters created together that wait, as drafts, for an office user's approval."""

    kind = models.CharField(max_length=40, choices=LetterKind.choices)
    description = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "letter batches"
        permissions = [("approve_letterbatch", "Can approve a batch of letters for sending")]

    def __str__(self) -> str:
        return self.description


class LetterState(models.TextChoices):
    DRAFT = "draft", "Draft, awaiting approval"
    APPROVED = "approved", "Approved, waiting to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


def new_message_id() -> str:
    # Fixed when the letter is created, so a repeated delivery carries the same
    # Message-ID and mail software can recognise it as one message.
    return f"<{uuid.uuid4().hex}@mentoring.invalid>"


class Letter(models.Model):
    """One outgoing message: the outbox row that the sending task works from.

    Written in the same transaction as the change that causes it. The
    idempotency key makes a second request for the same letter return the
    first one instead of creating another.
    """

    kind = models.CharField(max_length=40, choices=LetterKind.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )
    batch = models.ForeignKey(
        LetterBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="letters"
    )
    resend_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="resends"
    )
    certificate = models.ForeignKey(
        "Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="letters",
        help_text="A certificate attached to the letter as a PDF.",
    )
    recipient_name = EncryptedCharField(max_length=300, blank=True)
    to_addresses = EncryptedTextField("to", help_text="One address per line.")
    cc_addresses = EncryptedTextField("cc", blank=True, help_text="One address per line.")
    subject = EncryptedCharField(max_length=300)
    body = EncryptedTextField()
    attach_pdf = models.BooleanField(default=False)
    state = models.CharField(
        max_length=20, choices=LetterState.choices, default=LetterState.APPROVED, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = EncryptedTextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, default=new_message_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        permissions = [("resend_letter", "Can send a letter again")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} letter {self.pk}"

    @property
    def to_list(self) -> list[str]:
        return [line for line in self.to_addresses.splitlines() if line]

    @property
    def cc_list(self) -> list[str]:
        return [line for line in self.cc_addresses.splitlines() if line]

    @property
    def body_html(self) -> str:
        """The body as HTML paragraphs. linebreaks escapes the text first."""
        return mark_safe(linebreaks(self.body, autoescape=True))  # noqa: S308

    @property
    def pdf_filename(self) -> str:
        return f"{self.kind.replace('_', '-')}-{self.pk}.pdf"


class Certificate(models.Model):
    """A completion certificate: who, in which role, for which dates, and its code.

    The name is copied when the certificate is issued, so the certificate and
    its public check stay the same if the person's record changes later.
    """

    code = models.CharField(max_length=20, unique=True, editable=False)
    source_key = models.CharField(
        max_length=100,
        unique=True,
        help_text="What the certificate is for, such as pairing:7:mentor.",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    holder_name = EncryptedCharField(max_length=300)
    role = models.CharField(max_length=10)
    starts_on = models.DateField()
    ends_on = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)
    pdf = models.BinaryField(
        null=True,
        blank=True,
        editable=False,
        help_text="The rendered certificate, encrypted, stored by the worker; empty until then.",
    )

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"Certificate {self.code}"


class FailedLetter(Letter):
    """Letters whose last attempt failed: a list of its own in the office's menu."""

    class Meta:
        proxy = True
        verbose_name = "failed letter"
