"""Malformed capacities and garbage links on the mentor's renewal page.

A rejected capacity gives a 400 with the form shown again and its message in
the page. A link that is not a valid renewal link gives a 400 page titled
"This renewal link does not work". In both cases the term's end, the capacity
and the audit log stay as they were, and no case may cause a 500.
"""

import datetime
from urllib.parse import quote

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from programme.core.models import AuditEvent
from programme.vetting.services import make_renewal_token
from tests.matching.test_consensus import enrol_mentee, enrol_mentor

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script>'
MISSING = object()
CAPACITY_RANGE = "Please choose a number from 1 to 5."
CAPACITY_REQUIRED = "Please choose how many mentees you can take."
INVALID_LINK = "This renewal link does not work"

CAPACITY_CASES = {
    "zero": ("0", CAPACITY_RANGE),
    "six": ("6", CAPACITY_RANGE),
    "negative": ("-1", CAPACITY_RANGE),
    "letter": ("x", CAPACITY_RANGE),
    "empty": ("", CAPACITY_REQUIRED),
    "missing": (MISSING, CAPACITY_REQUIRED),
    "fraction": ("2.0", CAPACITY_RANGE),
    "padded": (" 2 ", CAPACITY_RANGE),
    "huge": ("9" * 5000, CAPACITY_RANGE),
    "arabic-indic digit": ("\u0662", CAPACITY_RANGE),
    "markup": (MARKUP, CAPACITY_RANGE),
    "nul": ("2\x00", CAPACITY_RANGE),
    "list ending invalid": (["2", "9"], CAPACITY_RANGE),
}


@pytest.fixture
def mentor():
    today = timezone.localdate()
    return enrol_mentor(
        capacity=1,
        starts_on=today - datetime.timedelta(days=3 * 365 - 20),
        ends_on=today + datetime.timedelta(days=20),
    )


def renew_path(token: str) -> str:
    """Build the page's path by hand, so tokens with any characters can be sent."""
    return f"/mentors/renew/{quote(token, safe='')}/"


def assert_unchanged(mentor, events_before: int) -> None:
    ends_on = mentor.ends_on
    mentor.refresh_from_db()
    mentor.application.refresh_from_db()
    assert mentor.ends_on == ends_on
    assert mentor.application.capacity == 1
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("label", CAPACITY_CASES)
def test_renewal_bad_capacity(client, mentor, label):
    value, message = CAPACITY_CASES[label]
    data = {} if value is MISSING else {"capacity": value}
    events_before = AuditEvent.objects.count()

    response = client.post(reverse("vetting:renew", args=[make_renewal_token(mentor)]), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Your term was not renewed yet" in page
    assert message in page
    assert MARKUP not in page
    assert_unchanged(mentor, events_before)


def test_renewal_repeated_capacity_uses_last(client, mentor):
    """A field sent twice counts as its last value, as Django's QueryDict.get returns it."""
    url = reverse("vetting:renew", args=[make_renewal_token(mentor)])

    response = client.post(url, {"capacity": ["9", "2"]})

    mentor.application.refresh_from_db()
    assert response.status_code == 200
    assert mentor.application.capacity == 2


def test_renewal_unknown_fields_ignored(client, mentor):
    url = reverse("vetting:renew", args=[make_renewal_token(mentor)])
    data = {"capacity": "2", "ends_on": "2099-01-01", "enrolment": "1", "role": "mentee"}

    response = client.post(url, data)

    mentor.refresh_from_db()
    mentor.application.refresh_from_db()
    assert response.status_code == 200
    assert mentor.application.capacity == 2
    assert mentor.ends_on != datetime.date(2099, 1, 1)


GARBAGE_TOKENS = {
    "empty": "",
    "single character": "x",
    "very long": "a" * 10_000,
    "unicode": "Ренью-更新-تجديد",
    "path-like": "..%2F..%2Fetc%2Fpasswd",
    "dot dot": "..",
    "sql-like": "' OR '1'='1' --",
    "sql statement": "1; DROP TABLE vetting_enrolment; --",
    "markup": MARKUP,
    "colons only": ":::",
    "signature without value": ":abcdef",
    "nul": "abc\x00def",
    "spaces": "   ",
}


def expected_status(token: str) -> int:
    """Return 404 when the URL pattern cannot match the token, else the invalid link's 400.

    The token is one path segment, so an empty token or one with a slash matches no URL.
    """
    return 404 if token == "" or "/" in token else 400


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("label", GARBAGE_TOKENS)
def test_renewal_garbage_token(client, mentor, label, method):
    token = GARBAGE_TOKENS[label]
    events_before = AuditEvent.objects.count()

    response = getattr(client, method)(renew_path(token), {"capacity": "2"})

    page = response.content.decode()
    assert response.status_code == expected_status(token)
    if response.status_code == 400:
        assert INVALID_LINK in page
    assert MARKUP not in page
    assert_unchanged(mentor, events_before)


def test_renewal_slashed_path_not_found(client, mentor):
    events_before = AuditEvent.objects.count()

    response = client.post("/mentors/renew/../../etc/passwd/", {"capacity": "2"})

    assert response.status_code == 404
    assert_unchanged(mentor, events_before)


@pytest.mark.parametrize(
    "label",
    ["cut short", "last character changed", "other salt", "payload not signed"],
)
def test_renewal_tampered_token(client, mentor, label):
    token = make_renewal_token(mentor)
    tokens = {
        "cut short": token[: len(token) // 2],
        "last character changed": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "other salt": signing.dumps(
            {"e": mentor.pk, "end": mentor.ends_on.isoformat()}, salt="another-purpose"
        ),
        "payload not signed": token.split(":", 1)[0],
    }
    events_before = AuditEvent.objects.count()

    response = client.post(renew_path(tokens[label]), {"capacity": "2"})

    assert response.status_code == 400
    assert INVALID_LINK in response.content.decode()
    assert_unchanged(mentor, events_before)


def test_renewal_token_of_mentee_rejected(client, mentor):
    mentee = enrol_mentee()
    mentee.ends_on = timezone.localdate() + datetime.timedelta(days=20)
    mentee.save()
    events_before = AuditEvent.objects.count()

    response = client.post(renew_path(make_renewal_token(mentee)), {"capacity": "2"})

    mentee_end = mentee.ends_on
    mentee.refresh_from_db()
    assert response.status_code == 400
    assert INVALID_LINK in response.content.decode()
    assert mentee.ends_on == mentee_end
    assert_unchanged(mentor, events_before)
