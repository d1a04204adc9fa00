"""Garbage check-in answer links and certificate codes.

A check-in link that is not valid gives a 400 page titled "This link is not
valid", and the check-in stays unanswered. A code that cannot be a certificate
code gives a 400 with the form shown again. A well-formed code that no
certificate has gives a 200 page stating that no certificate has it. No case
may cause a 500 or show a holder's name.
"""

import datetime
from urllib.parse import quote

import pytest
from django.core import signing
from django.urls import reverse
from django.utils.html import escape

from programme.core.models import AuditEvent
from programme.letters.certificates import issue_certificate
from programme.letters.models import Certificate
from programme.meetings.checkins import make_answer_token, send_due_checkins
from programme.meetings.models import CheckIn, CheckInAnswer
from tests.factories import PersonFactory
from tests.matching.test_consensus import enrol_mentee
from tests.meetings.test_checkins import checkin_of, engaged_pairing

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script>'
INVALID_LINK = "This link is not valid"
NOT_A_CODE = "This is not a certificate code."
VERIFY_URL = reverse("year:verify")
# Maps A-Z to the fullwidth forms U+FF21 to U+FF3A.
FULLWIDTH = str.maketrans(
    {chr(code): chr(code + 0xFEE0) for code in range(ord("A"), ord("Z") + 1)}
)

GARBAGE_TOKENS = {
    "empty": "",
    "single character": "x",
    "spaces": "   ",
    "very long": "a" * 10_000,
    "unicode": "Проверка-检查-تحقق",
    "emoji": "\U0001f600" * 50,
    "path-like encoded": "..%2F..%2Fetc%2Fpasswd",
    "dot dot": "..",
    "sql-like": "' OR '1'='1' --",
    "sql statement": "1; DROP TABLE meetings_checkin; --",
    "markup": MARKUP,
    "colons only": ":::",
    "signature without value": ":abcdef",
    "nul": "abc\x00def",
    "percent signs": "%%%",
}


def answer_path(token: str) -> str:
    """Build the page's path by hand, so tokens with any characters can be sent."""
    return f"/check-in/{quote(token, safe='')}/"


def expected_status(token: str) -> int:
    """Return 404 when the URL pattern cannot match the token, else the invalid link's 400.

    The token is one path segment, so an empty token or one with a slash matches no URL.
    """
    return 404 if token == "" or "/" in token else 400


@pytest.fixture
def checkin():
    pairing = engaged_pairing()
    send_due_checkins(pairing.checkin_due_on)
    return checkin_of(pairing, "mentee")


def assert_checkin_unanswered(checkin, events_before: int) -> None:
    checkin.refresh_from_db()
    assert checkin.answer == ""
    assert checkin.answered_at is None
    assert AuditEvent.objects.count() == events_before


# Check-in answer links


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("label", GARBAGE_TOKENS)
def test_checkin_answer_garbage_token(client, checkin, label, method):
    token = GARBAGE_TOKENS[label]
    events_before = AuditEvent.objects.count()

    response = getattr(client, method)(answer_path(token))

    page = response.content.decode()
    assert response.status_code == expected_status(token)
    if response.status_code == 400:
        assert INVALID_LINK in page
    assert MARKUP not in page
    assert_checkin_unanswered(checkin, events_before)


def test_checkin_answer_slashed_path_not_found(client, checkin):
    events_before = AuditEvent.objects.count()

    response = client.post("/check-in/../../etc/passwd/")

    assert response.status_code == 404
    assert_checkin_unanswered(checkin, events_before)


@pytest.mark.parametrize(
    "label",
    [
        "cut short",
        "last character changed",
        "other salt",
        "payload not signed",
        "answer of another link changed",
    ],
)
def test_checkin_answer_tampered_token(client, checkin, label):
    token = make_answer_token(checkin, CheckInAnswer.MET)
    value, _, signature = token.partition(":")
    other = make_answer_token(checkin, CheckInAnswer.CANNOT_REACH)
    tokens = {
        "cut short": token[: len(token) // 2],
        "last character changed": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "other salt": signing.dumps({"c": checkin.pk, "a": "met"}, salt="another-purpose"),
        "payload not signed": value,
        # The value of one link with the signature of another.
        "answer of another link changed": other.partition(":")[0] + ":" + signature,
    }
    events_before = AuditEvent.objects.count()

    response = client.post(answer_path(tokens[label]))

    assert response.status_code == 400
    assert INVALID_LINK in response.content.decode()
    assert_checkin_unanswered(checkin, events_before)


def test_checkin_answer_deleted_checkin(client, checkin):
    url = answer_path(make_answer_token(checkin, CheckInAnswer.MET))
    CheckIn.objects.filter(pk=checkin.pk).delete()

    response = client.post(url)

    assert response.status_code == 400
    assert INVALID_LINK in response.content.decode()


# Certificate verification


@pytest.fixture
def certificate():
    person = PersonFactory(given_name="Nadia", family_name="Rahman")
    enrol_mentee(person=person)
    issued, _ = issue_certificate(
        source_key="pairing:9:mentee",
        person=person,
        role="mentee",
        starts_on=datetime.date(2027, 1, 15),
        ends_on=datetime.date(2028, 1, 15),
    )
    return issued


# label: (typed code, expected status, expected message)
CODE_CASES = {
    "empty": ("", 400, "This field is required."),
    "spaces only": ("    ", 400, "This field is required."),
    "too short": ("ABCD-EFGH", 400, NOT_A_CODE),
    "too long": ("ABCD-EFGH-JKMN-P", 400, NOT_A_CODE),
    "very long": ("A" * 10_000, 400, "Ensure this value has at most 40 characters"),
    "ambiguous characters": ("0000-1111-OOOO", 400, NOT_A_CODE),
    "unicode letters": ("ÄБВГ-ДЕЖЗ-ИЙКЛ", 400, NOT_A_CODE),
    "fullwidth letters": ("ABCD-EFGH-JKMN".translate(FULLWIDTH), 400, NOT_A_CODE),
    "emoji": ("\U0001f600" * 12, 400, NOT_A_CODE),
    "path-like": ("../../etc/passwd", 400, NOT_A_CODE),
    "sql-like": ("' OR '1'='1' --", 400, NOT_A_CODE),
    "sql statement": ("1; DROP TABLE letters_certificate", 400, NOT_A_CODE),
    "like wildcards": ("ABCD-EFGH-JK%_", 400, NOT_A_CODE),
    "markup": (MARKUP, 400, NOT_A_CODE),
    "nul": ("ABCD-EFGH\x00-JKMN", 400, "Null characters are not allowed."),
    "crlf": ("ABCD-EFGH\r\nJKMN", 200, "No certificate has the code ABCD-EFGH-JKMN"),
    "unknown well-formed code": (
        "zzzz zzzz zzzz",
        200,
        "No certificate has the code ZZZZ-ZZZZ-ZZZZ",
    ),
    "unicode dashes": ("ZZZZ\u2013ZZZZ\u2014ZZZZ", 200, "No certificate has the code ZZZZ-ZZZZ"),
}


@pytest.mark.parametrize("label", CODE_CASES)
def test_verify_bad_code(client, certificate, label):
    code, status, message = CODE_CASES[label]
    certificates_before = Certificate.objects.count()

    response = client.get(VERIFY_URL, {"code": code})

    page = response.content.decode()
    assert response.status_code == status
    assert message in page
    assert MARKUP not in page
    assert "This certificate is genuine" not in page
    assert "Nadia Rahman" not in page
    assert Certificate.objects.count() == certificates_before
    if status == 400 and code.isprintable() and code.strip() and len(code) <= 40:
        assert f'value="{escape(code)}"' in page


def test_verify_code_sent_twice_uses_last(client, certificate):
    """A parameter sent twice counts as its last value, as Django's QueryDict.get returns it."""
    response = client.get(VERIFY_URL, {"code": [MARKUP, certificate.code]})

    assert response.status_code == 200
    assert "This certificate is genuine" in response.content.decode()


def test_verify_unknown_parameters_ignored(client, certificate):
    response = client.get(VERIFY_URL, {"code": certificate.code, "id": "1", "holder": MARKUP})

    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is genuine" in page
    assert MARKUP not in page
