"""Reads for the participant portal: who may sign in, their pairings, meetings and data."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django_countries.fields import CountryField

from programme.applications.models import Application, Role
from programme.core.crypto import blind_index
from programme.core.models import Person
from programme.feedback.models import Invitation
from programme.letters.models import Certificate
from programme.matching.models import ACTIVE_STATUSES, Pairing, PairingStatus
from programme.meetings.models import CheckIn, Meeting, SignInLink
from programme.vetting.models import Enrolment, EnrolmentStatus, VettingDecision

# A participant whose enrolment has ended may still sign in for this many days,
# for example to fetch their certificate.
SIGN_IN_AFTER_END_DAYS = 365

# Pairings whose meeting log is shown to a participant. Only an engaged
# pairing's log can be changed, and a completed pairing's log is read-only.
# Pairings a participant sees with their meeting log: the running one, and
# past ones (completed or ended early) read-only.
LOGGED_STATUSES = (PairingStatus.ENGAGED, PairingStatus.COMPLETED, PairingStatus.ENDED)

PAIRING_PEOPLE = (
    "mentor_enrolment__application__person",
    "mentee_enrolment__application__person",
)


def enrolment_may_sign_in_q(prefix: str = "") -> Q:
    """Return a filter for enrolments whose participant may sign in: active, or ended recently.

    ``prefix`` is the lookup path to the enrolment, such as ``"applications__enrolment__"``.
    A withdrawn enrolment never qualifies.
    """
    earliest_end = timezone.localdate() - datetime.timedelta(days=SIGN_IN_AFTER_END_DAYS)
    return Q(**{f"{prefix}status": EnrolmentStatus.ACTIVE}) | Q(
        **{f"{prefix}status": EnrolmentStatus.ENDED, f"{prefix}ends_on__gte": earliest_end}
    )


def people_who_may_sign_in() -> QuerySet[Person]:
    enrolments = Enrolment.objects.filter(
        enrolment_may_sign_in_q(), application__person=OuterRef("pk")
    )
    return Person.objects.filter(Exists(enrolments))


def find_person_for_sign_in(address: str) -> Person | None:
    """Return the person who may sign in with this address, or None.

    Either of a person's two addresses works. Each application has its own
    Person row, so one address can belong to several people. The one whose
    qualifying enrolment started last is chosen.
    """
    index = blind_index(address)
    return (
        Person.objects.filter(Q(primary_email_index=index) | Q(secondary_email_index=index))
        .filter(enrolment_may_sign_in_q("applications__enrolment__"))
        .order_by("-applications__enrolment__starts_on", "-pk")
        .first()
    )


def find_sign_in_link(token_hash: str) -> SignInLink | None:
    return SignInLink.objects.filter(token_hash=token_hash).first()


def enrolments_of(person: Person) -> list[Enrolment]:
    return list(
        Enrolment.objects.filter(application__person=person)
        .select_related("application")
        .order_by("-starts_on", "-pk")
    )


def pairings_of(person: Person) -> QuerySet[Pairing]:
    """Return every pairing the person is in, as mentor or as mentee, with both people."""
    return (
        Pairing.objects.filter(
            Q(mentor_enrolment__application__person=person)
            | Q(mentee_enrolment__application__person=person)
        )
        .select_related(*PAIRING_PEOPLE)
        .order_by("-engaged_on", "-pk")
    )


def logged_pairings_of(person: Person) -> QuerySet[Pairing]:
    """Return the person's engaged, completed and ended pairings, each with its meetings."""
    return (
        pairings_of(person)
        .filter(status__in=LOGGED_STATUSES)
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("-held_on", "-pk"))
        )
    )


def get_pairing_for(person: Person, pairing_id: int) -> Pairing:
    """Return one of the person's engaged, completed or ended pairings, or raise Http404."""
    pairing = logged_pairings_of(person).filter(pk=pairing_id).first()
    if pairing is None:
        raise Http404("No such pairing.")
    return pairing


def get_meeting_for(person: Person, meeting_id: int) -> Meeting:
    """Return a meeting of the person's engaged, completed or ended pairings, or raise Http404."""
    meeting = (
        Meeting.objects.filter(pk=meeting_id, pairing__in=logged_pairings_of(person).values("pk"))
        .select_related(*(f"pairing__{path}" for path in PAIRING_PEOPLE))
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def role_in(pairing: Pairing, person: Person) -> str:
    """Return the person's role in the pairing, mentor or mentee."""
    if pairing.mentor_enrolment.application.person_id == person.pk:
        return Role.MENTOR
    return Role.MENTEE


def partner_in(pairing: Pairing, person: Person) -> Person:
    if role_in(pairing, person) == Role.MENTOR:
        return pairing.mentee_enrolment.application.person
    return pairing.mentor_enrolment.application.person


def partner_application_in(pairing: Pairing, person: Person) -> Application:
    if role_in(pairing, person) == Role.MENTOR:
        return pairing.mentee_enrolment.application
    return pairing.mentor_enrolment.application


def areas_text(application: Application) -> str:
    areas = application.areas
    if application.area_other and application.area_other_details:
        areas = [*areas[:-1], f"Other skills ({application.area_other_details})"]
    return ", ".join(areas) or "None given"


# The portal home page.


@dataclass
class Milestone:
    label: str
    due_on: datetime.date | None
    is_past: bool = False
    is_next: bool = False


@dataclass
class PairingOverview:
    pairing: Pairing
    role: str
    partner: Person
    partner_role: str
    partner_areas: str
    meetings: list[Meeting]
    minimum_meetings: int
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def is_engaged(self) -> bool:
        return self.pairing.status == PairingStatus.ENGAGED

    @property
    def meeting_count(self) -> int:
        return len(self.meetings)

    @property
    def meetings_to_go(self) -> int:
        return max(self.minimum_meetings - self.meeting_count, 0)

    @property
    def progress_value(self) -> int:
        """Meetings held, capped at the minimum: the value of a progress bar up to the minimum."""
        return min(self.meeting_count, self.minimum_meetings)


def milestones_of(pairing: Pairing, today: datetime.date) -> list[Milestone]:
    """Return the pairing's year as dated steps, marking those past and the next one."""
    milestones = [
        Milestone("Engagement: you received each other's contacts", pairing.engaged_on),
        Milestone("One-month check-in", pairing.checkin_due_on),
        Milestone("Six-month feedback questionnaire", pairing.feedback_due_on),
        Milestone("Completion and certificate", pairing.completion_due_on),
    ]
    next_found = False
    for milestone in milestones:
        if milestone.due_on is None:
            continue
        milestone.is_past = milestone.due_on <= today
        if not milestone.is_past and not next_found:
            milestone.is_next = True
            next_found = True
    return milestones


def overview_of(pairing: Pairing, person: Person, *, minimum_meetings: int) -> PairingOverview:
    role = role_in(pairing, person)
    return PairingOverview(
        pairing=pairing,
        role=role,
        partner=partner_in(pairing, person),
        partner_role=Role.MENTEE if role == Role.MENTOR else Role.MENTOR,
        partner_areas=areas_text(partner_application_in(pairing, person)),
        meetings=list(pairing.meetings.all()),
        minimum_meetings=minimum_meetings,
        milestones=milestones_of(pairing, timezone.localdate()),
    )


@dataclass
class PortalOverview:
    person: Person
    enrolments: list[Enrolment]
    current: list[PairingOverview]
    past: list[PairingOverview]

    @property
    def active_enrolments(self) -> list[Enrolment]:
        return [e for e in self.enrolments if e.status == EnrolmentStatus.ACTIVE]

    @property
    def waiting_as_mentee(self) -> bool:
        """Whether the person is an active mentee without an engaged pairing."""
        return not self.current and any(e.role == Role.MENTEE for e in self.active_enrolments)

    @property
    def waiting_as_mentor(self) -> bool:
        return not self.current and any(e.role == Role.MENTOR for e in self.active_enrolments)


def portal_overview(person: Person, *, minimum_meetings: int) -> PortalOverview:
    """Collect what the portal home shows, in a number of queries that does not grow with rows."""
    overviews = [
        overview_of(pairing, person, minimum_meetings=minimum_meetings)
        for pairing in logged_pairings_of(person)
    ]
    return PortalOverview(
        person=person,
        enrolments=enrolments_of(person),
        current=[o for o in overviews if o.is_engaged],
        past=[o for o in overviews if not o.is_engaged],
    )


def withdrawable_enrolments(person: Person) -> list[Enrolment]:
    """Return the person's active enrolments, which a withdrawal ends."""
    return [e for e in enrolments_of(person) if e.status == EnrolmentStatus.ACTIVE]


def active_pairings_of(enrolment: Enrolment) -> list[Pairing]:
    """Return the enrolment's proposed and engaged pairings, which its withdrawal ends."""
    return list(
        Pairing.objects.filter(
            Q(mentor_enrolment=enrolment) | Q(mentee_enrolment=enrolment),
            status__in=ACTIVE_STATUSES,
        )
        .select_related(*PAIRING_PEOPLE)
        .order_by("pk")
    )


# The subject access page and its JSON download.

# Models whose rows about a person the export lists, by label.
EXPORTED_MODELS = frozenset(
    {
        "core.person",
        "applications.application",
        "vetting.enrolment",
        "vetting.vettingdecision",
        "matching.pairing",
        "meetings.meeting",
        "meetings.checkin",
        "meetings.signinlink",
        "feedback.invitation",
        "letters.letter",
        "letters.certificate",
    }
)
# Models linked to a person that the export leaves out, and why. Proxy models
# share their concrete model's rows and need no entry.
NOT_EXPORTED_MODELS = {
    "matching.pairingreview": "The core team's reviews of a proposal are their own notes.",
}

PERSON_LEFT_OUT = {"id", "primary_email_index", "secondary_email_index"}
APPLICATION_LEFT_OUT = {"id", "person", "submission_token"}
DECISION_FIELDS = ["decision", "reason", "by_applicant", "decided_at"]
ENROLMENT_FIELDS = ["role", "starts_on", "ends_on", "status", "created_at"]
PAIRING_FIELDS = [
    "status",
    "proposed_at",
    "engaged_on",
    "checkin_due_on",
    "feedback_due_on",
    "completion_due_on",
    "ended_on",
    "end_reason",
    "mentee_outcome",
]
MEETING_FIELDS = [
    "held_on",
    "minutes",
    "proposed_by",
    "theme",
    "topic",
    "private_notes",
    "recorded_by",
    "created_at",
    "updated_at",
]
CHECKIN_FIELDS = ["sent_on", "reminded_on", "answer", "answered_at"]
INVITATION_FIELDS = ["role", "cycle", "invited_on", "reminded_on", "responded"]
LETTER_FIELDS = ["kind", "subject", "state", "created_at", "sent_at"]
CERTIFICATE_FIELDS = ["code", "holder_name", "role", "starts_on", "ends_on", "issued_at"]
SIGN_IN_LINK_FIELDS = ["created_at", "expires_at", "used_at"]
SECTION_TITLES = {
    "person": "About you",
    "applications": "Your applications",
    "vetting_decisions": "Decisions on your applications",
    "enrolments": "Your enrolments",
    "pairings": "Your pairings",
    "meetings": "Meetings",
    "check_ins": "One-month check-ins",
    "questionnaire_invitations": "Questionnaire invitations",
    "letters": "Letters about you",
    "certificates": "Certificates",
    "sign_in_links": "Sign-in links",
}


@dataclass
class Entry:
    """One value held about a person: its field name, label and value."""

    key: str
    label: str
    value: object

    @property
    def display(self) -> str:
        value = self.value
        if value is None or value == "" or value == []:
            return "(none)"
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value), "j F Y, H:i")
        if isinstance(value, datetime.date):
            return date_format(value, "j F Y")
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)


@dataclass
class Section:
    """A titled group of records, each a list of entries."""

    key: str
    title: str
    records: list[list[Entry]]

    def as_json(self) -> list[dict[str, object]]:
        return [{entry.key: entry.value for entry in record} for record in self.records]


def entries_of(instance, names: list[str]) -> list[Entry]:
    """Return the named fields of a row as entries, choice fields by their label."""
    entries = []
    for name in names:
        model_field = instance._meta.get_field(name)
        value = getattr(instance, name)
        if model_field.choices:
            value = getattr(instance, f"get_{name}_display")()
        elif isinstance(model_field, CountryField):
            value = value.name
        entries.append(Entry(name, capfirst(str(model_field.verbose_name)), value))
    return entries


def field_names(model, *, left_out: set[str]) -> list[str]:
    """Return every stored field of a model but those left out, so new fields are exported too."""
    return [f.name for f in model._meta.concrete_fields if f.name not in left_out]


def personal_data(person: Person) -> list[Section]:
    """Collect everything held about a person, decrypted, as titled sections.

    Questionnaire answers are anonymous and not linked to anyone, so only
    invitations and whether they were answered appear. Pairings show the
    partner's name but no notes of the core team or the office.
    """
    applications = list(person.applications.order_by("submitted_at", "pk"))
    enrolments = enrolments_of(person)
    # NOTE: proposals the core team has not engaged (proposed or objected to)
    # are left out, because no letter informed the person of them and they name
    # another person. Whether an access request must list them is for the office.
    pairings = list(
        pairings_of(person).filter(engaged_on__isnull=False).order_by("engaged_on", "pk")
    )
    meetings = Meeting.objects.filter(pairing__in=pairings).order_by("held_on", "pk")
    checkins = CheckIn.objects.filter(enrolment__in=enrolments).order_by("sent_on", "pk")
    invitations = (
        Invitation.objects.filter(enrolment__in=enrolments)
        .select_related("questionnaire")
        .order_by("invited_on", "pk")
    )
    decisions = VettingDecision.objects.filter(application__in=applications).order_by(
        "decided_at", "pk"
    )

    def numbered(key: str, label: str, number: int, record: list[Entry]) -> list[Entry]:
        return [Entry(key, label, number), *record]

    def pairing_record(pairing: Pairing) -> list[Entry]:
        return [
            Entry("pairing_id", "Pairing number", pairing.pk),
            Entry("your_role", "Your role", Role(role_in(pairing, person)).label),
            Entry("partner_name", "Partner", partner_in(pairing, person).full_name),
            *entries_of(pairing, PAIRING_FIELDS),
        ]

    application_fields = field_names(Application, left_out=APPLICATION_LEFT_OUT)
    records = {
        "person": [entries_of(person, field_names(Person, left_out=PERSON_LEFT_OUT))],
        "applications": [
            numbered(
                "application_id", "Application number", a.pk, entries_of(a, application_fields)
            )
            for a in applications
        ],
        "vetting_decisions": [
            numbered(
                "application_id",
                "Application number",
                d.application_id,
                entries_of(d, DECISION_FIELDS),
            )
            for d in decisions
        ],
        "enrolments": [
            numbered(
                "application_id",
                "Application number",
                e.application_id,
                entries_of(e, ENROLMENT_FIELDS),
            )
            for e in enrolments
        ],
        "pairings": [pairing_record(p) for p in pairings],
        "meetings": [
            numbered("pairing_id", "Pairing number", m.pairing_id, entries_of(m, MEETING_FIELDS))
            for m in meetings
        ],
        "check_ins": [
            numbered("pairing_id", "Pairing number", c.pairing_id, entries_of(c, CHECKIN_FIELDS))
            for c in checkins
        ],
        "questionnaire_invitations": [
            numbered(
                "questionnaire",
                "Questionnaire",
                i.questionnaire.title,
                entries_of(i, INVITATION_FIELDS),
            )
            for i in invitations
        ],
        "letters": [
            entries_of(letter, LETTER_FIELDS)
            for letter in person.letters.order_by("created_at", "pk")
        ],
        "certificates": [
            entries_of(c, CERTIFICATE_FIELDS)
            for c in Certificate.objects.filter(person=person).order_by("issued_at", "pk")
        ],
        "sign_in_links": [
            entries_of(link, SIGN_IN_LINK_FIELDS)
            for link in person.sign_in_links.order_by("created_at", "pk")
        ],
    }
    return [Section(key, title, records[key]) for key, title in SECTION_TITLES.items()]
