"""Questionnaires and their anonymous responses.

A Response holds the answers, the role and the cycle, and nothing that leads
to a person: no foreign key, no timestamp, and a random primary key, so its
position among other rows says nothing either. An Invitation records who was
asked and whether they answered, for reminders and to refuse a second response;
it records no time of answering, so the two cannot be lined up by time.

NOTE: the database's physical row order (SQLite's rowid, PostgreSQL's ctid)
still follows insertion and update order, so someone with direct database
access could line up responses with invitations that way. The application
never reads or shows that order.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from programme.applications.models import Role
from programme.core.fields import EncryptedTextField
from programme.matching.models import Pairing
from programme.vetting.models import Enrolment

MAX_FREE_TEXT_LENGTH = 5000


class QuestionnaireKind(models.TextChoices):
    SIX_MONTH = "six_month", "Six-month feedback"
    COMPLETION = "completion", "Completion feedback"


class Questionnaire(models.Model):
    """A questionnaire staff can edit. Each kind has one."""

    kind = models.CharField(max_length=20, choices=QuestionnaireKind.choices, unique=True)
    title = models.CharField(max_length=200)
    introduction = models.TextField(max_length=2000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    LIKERT = "likert", "Statement on a five-point scale"
    MEETING_COUNT = "meeting_count", "Number of meetings"
    TOPICS = "topics", "Topics discussed"
    FREE_TEXT = "free_text", "Free text"


class Likert(models.IntegerChoices):
    STRONGLY_DISAGREE = 1, "Strongly disagree"
    SLIGHTLY_DISAGREE = 2, "Slightly disagree"
    UNSURE = 3, "Unsure"
    SLIGHTLY_AGREE = 4, "Slightly agree"
    STRONGLY_AGREE = 5, "Strongly agree"


class Topic(models.TextChoices):
    """A subject a pair discussed, as the topics question offers it."""

    RESEARCH = "research", "Research"
    EDUCATION = "education", "Education"
    CLINICAL = "clinical", "Clinical practice"
    CAREER = "career", "Career development"
    OTHER = "other", "Other"


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    text = models.CharField(max_length=300, help_text="The statement or question as shown.")
    required = models.BooleanField(default=False)
    shown = models.BooleanField(
        "shown to participants",
        default=True,
        help_text="Untick to stop asking a question. Its earlier answers stay in the results.",
    )

    class Meta:
        ordering = ["questionnaire", "position", "id"]

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """A receipt: which enrolment was asked about which pairing, and whether it answered.

    A mentor with two mentees, or with a second mentee within their term, is
    asked once per pairing.
    """

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="invitations"
    )
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="questionnaire_invitations"
    )
    pairing = models.ForeignKey(
        Pairing, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    cycle = models.CharField(max_length=20, help_text="The programme cycle, such as 2026.")
    invited_on = models.DateField()
    reminded_on = models.DateField(null=True, blank=True)
    responded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-invited_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "enrolment", "pairing"],
                name="invitation_once_per_pairing",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to {self.questionnaire}"


class Response(models.Model):
    """One anonymous set of answers. See the module docstring."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="responses"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    cycle = models.CharField(max_length=20)

    class Meta:
        # Never ordered by insertion: there is no column that records it.
        ordering = ["questionnaire", "role", "cycle"]

    def __str__(self) -> str:
        return f"Response to {self.questionnaire}"


class Answer(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    scale = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=Likert.choices,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    number = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(365)]
    )
    topics = models.JSONField(default=list, blank=True)
    text = EncryptedTextField(max_length=MAX_FREE_TEXT_LENGTH, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="answer_once_per_question"
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to question {self.question_id}"
