"""The portal's panels for a pairing's year: open check-ins and certificates."""

from django import template

from programme.core.models import Person
from programme.letters.models import Certificate
from programme.matching.models import PairingStatus
from programme.meetings.checkins import make_answer_token
from programme.meetings.models import CheckIn, CheckInAnswer

register = template.Library()


def partner_of(checkin: CheckIn) -> Person:
    pairing = checkin.pairing
    return pairing.partner_enrolment(pairing.role_of(checkin.enrolment_id)).application.person


@register.inclusion_tag("meetings/year/panels.html", takes_context=True)
def year_panels(context: template.Context, person: Person) -> dict:
    """Render the person's unanswered check-ins with answer buttons, and their certificates."""
    checkins = (
        CheckIn.objects.filter(
            enrolment__application__person=person,
            answer="",
            pairing__status=PairingStatus.ENGAGED,
        )
        .select_related(
            "pairing__mentor_enrolment__application__person",
            "pairing__mentee_enrolment__application__person",
        )
        .order_by("sent_on", "pk")
    )
    open_checkins = [
        {
            "checkin": checkin,
            "partner": partner_of(checkin),
            "answers": [
                {"label": label, "token": make_answer_token(checkin, value)}
                for value, label in CheckInAnswer.choices
            ],
        }
        for checkin in checkins
    ]
    certificates = Certificate.objects.filter(person=person).defer("pdf").order_by("-ends_on")
    return {
        "open_checkins": open_checkins,
        "certificates": list(certificates),
        "csrf_token": context.get("csrf_token"),
    }
