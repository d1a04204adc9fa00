"""Participants in an engaged pairing, and clients signed in as them."""

import datetime
import time

import pytest
from django.test import Client
from django.utils import timezone

from programme.matching.models import PairingStatus
from programme.matching.services import add_months
from programme.meetings.access import SESSION_LAST_SEEN, SESSION_PERSON
from programme.meetings.models import Meeting, Theme
from tests.factories import ApplicationFactory, PersonFactory
from tests.matching.factories import MenteeEnrolmentFactory, MentorEnrolmentFactory, PairingFactory

# The pairing in these fixtures was engaged this many days ago.
ENGAGED_DAYS_AGO = 20


def engaged_pairing_between(mentor_enrolment, mentee_enrolment, *, days_ago=ENGAGED_DAYS_AGO):
    """Return an engaged pairing of the two enrolments, with its due dates set."""
    engaged_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    return PairingFactory(
        mentor_enrolment=mentor_enrolment,
        mentee_enrolment=mentee_enrolment,
        status=PairingStatus.ENGAGED,
        engaged_on=engaged_on,
        checkin_due_on=engaged_on + datetime.timedelta(days=30),
        feedback_due_on=add_months(engaged_on, 6),
        completion_due_on=add_months(engaged_on, 12),
    )


def log_meeting(pairing, *, days_ago: int = 1, **values) -> Meeting:
    values = {
        "held_on": timezone.localdate() - datetime.timedelta(days=days_ago),
        "minutes": 45,
        "proposed_by": "mentor",
        "theme": Theme.CAREER,
        "topic": "Planning a fellowship year",
        "private_notes": "Ask about funding in spring.",
        "recorded_by": "mentee",
    } | values
    return Meeting.objects.create(pairing=pairing, **values)


def sign_in_as(client: Client, person) -> Client:
    """Sign the person in on this client, as a used sign-in link would."""
    session = client.session
    session[SESSION_PERSON] = person.pk
    session[SESSION_LAST_SEEN] = int(time.time())
    session.save()
    return client


@pytest.fixture
def mentee_enrolment(db):
    return MenteeEnrolmentFactory(
        application=ApplicationFactory(
            status="eligible",
            area_research=True,
            person=PersonFactory(
                given_name="Nadia",
                family_name="Rahman",
                primary_email="nadia@example.org",
                secondary_email="nadia.home@example.net",
                country="IT",
                institution="Ospedale Esempio",
            ),
        )
    )


@pytest.fixture
def mentor_enrolment(db):
    return MentorEnrolmentFactory(
        application=ApplicationFactory(
            mentor=True,
            status="eligible",
            area_education=True,
            person=PersonFactory(
                given_name="Paul",
                family_name="Carter",
                primary_email="paul@example.org",
                secondary_email="paul.home@example.net",
                country="GB",
                institution="Royal Example Infirmary",
            ),
        )
    )


@pytest.fixture
def pairing(mentor_enrolment, mentee_enrolment):
    return engaged_pairing_between(mentor_enrolment, mentee_enrolment)


@pytest.fixture
def mentee(pairing):
    return pairing.mentee_enrolment.application.person


@pytest.fixture
def mentor(pairing):
    return pairing.mentor_enrolment.application.person


@pytest.fixture
def mentee_client(client, mentee):
    return sign_in_as(client, mentee)


@pytest.fixture
def mentor_client(mentor):
    return sign_in_as(Client(), mentor)


@pytest.fixture
def other_pairing(db):
    """A second engaged pairing that the fixtures' participants are not in."""
    return engaged_pairing_between(MentorEnrolmentFactory(), MenteeEnrolmentFactory())
