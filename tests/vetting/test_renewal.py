"""A mentor renews their term from the link in the re-enrolment invitation."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from programme.core.models import AuditEvent
from programme.letters.models import Letter, LetterKind
from programme.matching.selectors import available_mentors
from programme.matching.services import invite_reenrolment
from programme.vetting.models import EnrolmentStatus
from programme.vetting.services import add_years, make_renewal_token
from tests.matching.test_consensus import enrol_mentor

pytestmark = pytest.mark.django_db


def mentor_ending_in(days: int, capacity: int = 1):
    today = timezone.localdate()
    return enrol_mentor(
        capacity=capacity,
        starts_on=today - datetime.timedelta(days=3 * 365 - days),
        ends_on=today + datetime.timedelta(days=days),
    )


def invitation_link(mentor) -> str:
    invite_reenrolment(timezone.localdate())
    letter = Letter.objects.get(
        kind=LetterKind.REENROLMENT_INVITATION, person=mentor.application.person
    )
    return re.search(r"http://\S+/mentors/renew/\S+/", letter.body).group(0)


def test_invitation_link_renews_term_and_capacity(client):
    mentor = mentor_ending_in(20, capacity=1)
    old_end = mentor.ends_on
    path = invitation_link(mentor).split("testserver", 1)[-1]

    page = client.get(path)
    assert page.status_code == 200
    assert "Renew your term as a mentor" in page.content.decode()
    mentor.refresh_from_db()
    assert mentor.ends_on == old_end, "opening the link must change nothing"

    response = client.post(path, {"capacity": "3"})

    assert response.status_code == 200
    mentor.refresh_from_db()
    mentor.application.refresh_from_db()
    assert mentor.ends_on == add_years(old_end, 3)
    assert mentor.application.capacity == 3
    assert "now ends on" in response.content.decode()
    assert (
        AuditEvent.objects.filter(
            action="vetting.enrolment.renewed", object_id=str(mentor.pk)
        ).count()
        == 1
    )


def test_renewed_mentor_is_suggested_again_for_a_full_pairing_year(client):
    mentor = mentor_ending_in(20)
    assert mentor not in available_mentors()

    client.post(reverse("vetting:renew", args=[make_renewal_token(mentor)]), {"capacity": "1"})

    assert mentor in available_mentors()


def test_second_use_of_the_link_renews_nothing(client):
    mentor = mentor_ending_in(20)
    url = reverse("vetting:renew", args=[make_renewal_token(mentor)])
    client.post(url, {"capacity": "2"})
    mentor.refresh_from_db()
    renewed_end = mentor.ends_on

    response = client.post(url, {"capacity": "2"})

    assert response.status_code == 409
    assert "already been renewed" in response.content.decode()
    mentor.refresh_from_db()
    assert mentor.ends_on == renewed_end


def test_bad_capacity_keeps_the_term_and_says_why(client):
    mentor = mentor_ending_in(20)
    url = reverse("vetting:renew", args=[make_renewal_token(mentor)])

    response = client.post(url, {"capacity": "9"})

    assert response.status_code == 400
    assert "Please choose a number from 1 to 5." in response.content.decode()
    old_end = mentor.ends_on
    mentor.refresh_from_db()
    assert mentor.ends_on == old_end


def test_withdrawn_mentor_cannot_renew(client):
    mentor = mentor_ending_in(20)
    url = reverse("vetting:renew", args=[make_renewal_token(mentor)])
    mentor.status = EnrolmentStatus.WITHDRAWN
    mentor.save()

    response = client.post(url, {"capacity": "1"})

    assert response.status_code == 409
    assert "Your enrolment has ended" in response.content.decode()


def test_tampered_link_shows_a_clear_page(client):
    mentor = mentor_ending_in(20)
    token = make_renewal_token(mentor)

    response = client.get(reverse("vetting:renew", args=[token[:-2] + "xx"]))

    assert response.status_code == 400
    assert "This renewal link does not work" in response.content.decode()
