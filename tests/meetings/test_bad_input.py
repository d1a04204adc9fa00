"""Malformed input on the portal's sign-in, meeting and withdrawal forms.

Every case goes through the real view. A rejected value gives a 400 with the
form shown again, the field's message in the page and nothing stored. An
accepted value is stored as the service would store it. No case may cause a
500, and markup never comes back unescaped.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from programme.applications.models import ApplicationStatus
from programme.core.models import AuditEvent
from programme.letters.models import Letter
from programme.matching.models import PairingStatus
from programme.meetings.access import SESSION_PERSON
from programme.meetings.models import Meeting, SignInLink, Theme
from programme.vetting.models import EnrolmentStatus
from tests.meetings.conftest import ENGAGED_DAYS_AGO, log_meeting

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("x")</script>'
ACCEPTED = "accepted"
MISSING = object()

INVALID_EMAIL = "Enter a valid email address."
REQUIRED = "This field is required."
INVALID_DATE = "Please give the date as year-month-day, such as 2027-03-14."
FUTURE_DATE = "This date is in the future."
BEFORE_PAIRING = "This date is before your pairing began on"
MINUTES_MESSAGE = "Please give the length in minutes, as a whole number from 5 to 600."
INVALID_CHOICE = "Select a valid choice."
ONE_LINE = "Please keep this answer on one line."
CONTROL_CHARACTER = "This answer contains an invisible control character."


def days_ago(days: int) -> str:
    return (timezone.localdate() - datetime.timedelta(days=days)).isoformat()


# Sign-in form


SIGN_IN_URL = reverse("meetings:sign_in")

# label: (typed address, expected message, or ACCEPTED with whether a link is sent)
SIGN_IN_CASES = {
    "empty": ("", REQUIRED),
    "spaces only": ("   ", REQUIRED),
    "missing": (MISSING, REQUIRED),
    "not an address": ("nadia at example.org", INVALID_EMAIL),
    "no domain": ("nadia@", INVALID_EMAIL),
    "two at signs": ("nadia@@example.org", INVALID_EMAIL),
    "very long": ("n" * 250 + "@example.org", "Ensure this value has at most 254 characters"),
    "10 KB": ("a" * 10_000 + "@example.org", "Ensure this value has at most 254 characters"),
    "newline inside": ("nadia@example.org\nBcc: victim@example.com", INVALID_EMAIL),
    "crlf inside": ("nadia@example.org\r\nBcc: victim@example.com", INVALID_EMAIL),
    "nul": ("nadia\x00@example.org", "Null characters are not allowed."),
    "markup": (MARKUP, INVALID_EMAIL),
    "sql-like": ("' OR 1=1 --@example.org", INVALID_EMAIL),
    "list of addresses": (["nadia@example.org", "not an address"], INVALID_EMAIL),
    "unicode local part": ("nädia@example.org", INVALID_EMAIL),
    "unicode domain": ("nadia@exämple.org", (ACCEPTED, False)),
    "unknown address": ("nobody@example.org", (ACCEPTED, False)),
    "spaces around known address": ("  nadia@example.org  ", (ACCEPTED, True)),
    "upper case known address": ("NADIA@EXAMPLE.ORG", (ACCEPTED, True)),
    "trailing crlf on known address": ("nadia@example.org\r\n", (ACCEPTED, True)),
}


@pytest.mark.parametrize("label", SIGN_IN_CASES)
def test_sign_in_bad_address(client, mentee, label):
    value, expected = SIGN_IN_CASES[label]
    data = {} if value is MISSING else {"email": value}

    response = client.post(SIGN_IN_URL, data)

    page = response.content.decode()
    if isinstance(expected, tuple):
        sends_link = expected[1]
        # Known and unknown addresses get the same response, so it does not reveal which is which.
        assert response.status_code == 302
        assert response["Location"] == reverse("meetings:sign_in_sent")
        assert SignInLink.objects.count() == (1 if sends_link else 0)
        assert Letter.objects.count() == (1 if sends_link else 0)
        if sends_link:
            # The letter goes to the stored address, never to the typed text.
            assert Letter.objects.get().to_list == ["nadia@example.org"]
        return

    assert response.status_code == 400
    assert "We have not sent a link yet" in page
    assert expected in page
    assert MARKUP not in page
    assert SignInLink.objects.count() == 0
    assert Letter.objects.count() == 0
    if isinstance(value, str) and value.isprintable() and value.strip():
        assert f'value="{escape(value)}"' in page


# Meeting form


@dataclass(frozen=True)
class RelativeDay:
    """A date given as a number of days before today. Negative numbers are days after today."""

    days: int


def meeting_values() -> dict:
    return {
        "held_on": days_ago(3),
        "minutes": "40",
        "proposed_by": "mentee",
        "theme": Theme.RESEARCH,
        "topic": "Writing my first grant application",
        "private_notes": "Send the draft by Friday.",
    }


# (field, typed value, expected message or ACCEPTED). A date relative to today
# is given as a number of days ago and turned into a date when the case runs.
MEETING_CASES = {
    "held_on-empty": ("held_on", "", "Please give the date of the meeting."),
    "held_on-missing": ("held_on", MISSING, "Please give the date of the meeting."),
    "held_on-wrong type": ("held_on", "last Tuesday", INVALID_DATE),
    "held_on-number": ("held_on", "45", INVALID_DATE),
    "held_on-tomorrow": ("held_on", RelativeDay(-1), FUTURE_DATE),
    "held_on-before pairing": ("held_on", RelativeDay(ENGAGED_DAYS_AGO + 1), BEFORE_PAIRING),
    "held_on-day pairing began": ("held_on", RelativeDay(ENGAGED_DAYS_AGO), ACCEPTED),
    "held_on-today": ("held_on", RelativeDay(0), ACCEPTED),
    "held_on-31 february": ("held_on", "2026-02-31", INVALID_DATE),
    "held_on-29 february 2026": ("held_on", "2026-02-29", INVALID_DATE),
    "held_on-month 13": ("held_on", "2026-13-01", INVALID_DATE),
    "held_on-year 0001": ("held_on", "0001-01-01", BEFORE_PAIRING),
    "held_on-year 9999": ("held_on", "9999-12-31", FUTURE_DATE),
    "held_on-year 10000": ("held_on", "10000-01-01", INVALID_DATE),
    "held_on-negative year": ("held_on", "-2026-01-01", INVALID_DATE),
    "held_on-huge number": ("held_on", "9" * 400, INVALID_DATE),
    "held_on-markup": ("held_on", MARKUP, INVALID_DATE),
    "held_on-nul": ("held_on", "2026-01\x00-01", INVALID_DATE),
    "held_on-100 KB": ("held_on", "2" * 100_000, INVALID_DATE),
    "minutes-empty": ("minutes", "", MINUTES_MESSAGE),
    "minutes-missing": ("minutes", MISSING, MINUTES_MESSAGE),
    "minutes-wrong type": ("minutes", "forty", MINUTES_MESSAGE),
    "minutes-zero": ("minutes", "0", MINUTES_MESSAGE),
    "minutes-below minimum": ("minutes", "4", MINUTES_MESSAGE),
    "minutes-above maximum": ("minutes", "601", MINUTES_MESSAGE),
    "minutes-negative": ("minutes", "-45", MINUTES_MESSAGE),
    "minutes-fraction": ("minutes", "45.5", MINUTES_MESSAGE),
    "minutes-exponent": ("minutes", "1e2", MINUTES_MESSAGE),
    "minutes-huge": ("minutes", "9" * 30, MINUTES_MESSAGE),
    # Longer than the 4300 digits int() converts by default since Python 3.11
    # (sys.int_info.default_max_str_digits).
    "minutes-5000 digits": ("minutes", "9" * 5000, MINUTES_MESSAGE),
    "minutes-markup": ("minutes", MARKUP, MINUTES_MESSAGE),
    "minutes-nul": ("minutes", "4\x005", MINUTES_MESSAGE),
    "minutes-whole with .0": ("minutes", "45.0", ACCEPTED),
    "minutes-arabic-indic digits": ("minutes", "\u0664\u0665", ACCEPTED),
    "proposed_by-empty": ("proposed_by", "", "Please say whether the mentor or the mentee"),
    "proposed_by-missing": ("proposed_by", MISSING, "Please say whether the mentor or the mentee"),
    "proposed_by-unknown": ("proposed_by", "both", INVALID_CHOICE),
    "proposed_by-upper case": ("proposed_by", "MENTOR", INVALID_CHOICE),
    "proposed_by-markup": ("proposed_by", MARKUP, INVALID_CHOICE),
    "proposed_by-nul": ("proposed_by", "men\x00tor", INVALID_CHOICE),
    "theme-empty": ("theme", "", "Please choose the theme closest to what you discussed."),
    "theme-missing": ("theme", MISSING, "Please choose the theme closest to what you discussed."),
    "theme-unknown": ("theme", "astrology", INVALID_CHOICE),
    "theme-label not value": ("theme", "Clinical practice", INVALID_CHOICE),
    "theme-markup": ("theme", MARKUP, INVALID_CHOICE),
    "theme-100 KB": ("theme", "r" * 100_000, INVALID_CHOICE),
    "topic-empty": ("topic", "", "Please describe the topic in one line."),
    "topic-spaces only": ("topic", "    ", "Please describe the topic in one line."),
    "topic-missing": ("topic", MISSING, "Please describe the topic in one line."),
    "topic-too long": ("topic", "t" * 201, "Ensure this value has at most 200 characters"),
    "topic-100 KB": ("topic", "t" * 100_000, "Ensure this value has at most 200 characters"),
    "topic-newline": ("topic", "Grants\nand more", ONE_LINE),
    "topic-crlf": ("topic", "Grants\r\nBcc: victim@example.com", ONE_LINE),
    "topic-nul": ("topic", "Grants\x00", CONTROL_CHARACTER),
    "topic-bidi override": ("topic", "Grants \u202eevil", CONTROL_CHARACTER),
    "topic-markup": ("topic", MARKUP, ACCEPTED),
    "topic-unicode": ("topic", "Ricerca über 研究 and فاطمة", ACCEPTED),
    "topic-exactly 200": ("topic", "t" * 200, ACCEPTED),
    "private_notes-too long": (
        "private_notes",
        "n" * 5001,
        "Ensure this value has at most 5000 characters",
    ),
    "private_notes-100 KB": (
        "private_notes",
        "n" * 100_000,
        "Ensure this value has at most 5000 characters",
    ),
    "private_notes-nul": ("private_notes", "Draft\x00", CONTROL_CHARACTER),
    "private_notes-markup": ("private_notes", MARKUP, ACCEPTED),
    "private_notes-crlf": ("private_notes", "First\r\nSecond", ACCEPTED),
    "private_notes-empty": ("private_notes", "", ACCEPTED),
    "private_notes-missing": ("private_notes", MISSING, ACCEPTED),
}


def meeting_data(field: str, value) -> dict:
    data = meeting_values()
    if isinstance(value, RelativeDay):
        data[field] = days_ago(value.days)
    elif value is MISSING:
        data.pop(field)
    else:
        data[field] = value
    return data


def is_echoable(field: str, value) -> bool:
    """Whether the form should show the typed value again: printable text in a text field."""
    return (
        field in ("topic", "private_notes")
        and isinstance(value, str)
        and value.isprintable()
        and value.strip() != ""
    )


def assert_rejected(response, field: str, value, message: str) -> None:
    page = response.content.decode()
    assert response.status_code == 400
    assert "The meeting was not saved yet" in page
    assert message in page
    assert MARKUP not in page
    if is_echoable(field, value):
        assert escape(value) in page


@pytest.mark.parametrize("label", MEETING_CASES)
def test_meeting_add_bad_value(mentee_client, pairing, label):
    field, value, expected = MEETING_CASES[label]
    events_before = AuditEvent.objects.count()

    response = mentee_client.post(
        reverse("meetings:meeting_add", args=[pairing.pk]), meeting_data(field, value)
    )

    if expected == ACCEPTED:
        assert response.status_code == 302
        assert Meeting.objects.count() == 1
        return
    assert_rejected(response, field, value, expected)
    assert Meeting.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("label", MEETING_CASES)
def test_meeting_edit_bad_value(mentee_client, pairing, label):
    field, value, expected = MEETING_CASES[label]
    meeting = log_meeting(pairing, days_ago=2)
    stored_before = Meeting.objects.values().get(pk=meeting.pk)
    events_before = AuditEvent.objects.count()

    response = mentee_client.post(
        reverse("meetings:meeting_edit", args=[meeting.pk]), meeting_data(field, value)
    )

    assert Meeting.objects.count() == 1
    if expected == ACCEPTED:
        assert response.status_code == 302
        return
    assert_rejected(response, field, value, expected)
    assert Meeting.objects.values().get(pk=meeting.pk) == stored_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize("field", list(meeting_values()))
def test_meeting_add_list_value_uses_last(mentee_client, pairing, field):
    """A field sent twice counts as its last value, as Django's QueryDict.get returns it."""
    data = meeting_values()
    data[field] = [MARKUP, data[field]]

    response = mentee_client.post(reverse("meetings:meeting_add", args=[pairing.pk]), data)

    assert response.status_code == 302
    assert Meeting.objects.count() == 1


def test_meeting_add_all_fields_missing(mentee_client, pairing):
    response = mentee_client.post(reverse("meetings:meeting_add", args=[pairing.pk]), {})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Please correct these 5 answers." in page
    assert Meeting.objects.count() == 0


def test_meeting_add_unknown_fields_ignored(mentee_client, pairing, other_pairing):
    data = meeting_values() | {
        "pairing": str(other_pairing.pk),
        "recorded_by": "mentor",
        "id": "999",
    }

    response = mentee_client.post(reverse("meetings:meeting_add", args=[pairing.pk]), data)

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.pairing == pairing
    assert meeting.recorded_by == "mentee"


def test_meeting_markup_stored_and_escaped(mentee_client, pairing):
    data = meeting_values() | {"topic": MARKUP, "private_notes": MARKUP}

    mentee_client.post(reverse("meetings:meeting_add", args=[pairing.pk]), data)
    page = mentee_client.get(reverse("meetings:pairing", args=[pairing.pk])).content.decode()

    meeting = Meeting.objects.get()
    assert meeting.topic == MARKUP
    assert meeting.private_notes == MARKUP
    assert MARKUP not in page
    assert escape(MARKUP) in page


# Withdrawal form


WITHDRAW_URL = reverse("meetings:withdraw")
WITHDRAWAL_REQUIRED = "Please tell us briefly why you are withdrawing."

WITHDRAWAL_CASES = {
    "empty": ("", WITHDRAWAL_REQUIRED),
    "missing": (MISSING, WITHDRAWAL_REQUIRED),
    "spaces only": ("     ", WITHDRAWAL_REQUIRED),
    "line breaks only": ("\r\n\r\n\t", WITHDRAWAL_REQUIRED),
    "too long": ("r" * 2001, "Ensure this value has at most 2000 characters"),
    "100 KB": ("r" * 100_000, "Ensure this value has at most 2000 characters"),
    "nul": ("Moving abroad\x00", CONTROL_CHARACTER),
    "bidi override": ("Moving \u202eabroad", CONTROL_CHARACTER),
    "markup too long": (MARKUP * 100, "Ensure this value has at most 2000 characters"),
}


@pytest.mark.parametrize("label", WITHDRAWAL_CASES)
def test_withdrawal_bad_reason(mentee_client, mentee_enrolment, pairing, label):
    value, message = WITHDRAWAL_CASES[label]
    data = {} if value is MISSING else {"reason": value}
    events_before = AuditEvent.objects.count()

    response = mentee_client.post(WITHDRAW_URL, data)

    page = response.content.decode()
    mentee_enrolment.refresh_from_db()
    mentee_enrolment.application.refresh_from_db()
    pairing.refresh_from_db()
    assert response.status_code == 400
    assert "You have not withdrawn yet" in page
    assert message in page
    assert MARKUP not in page
    if isinstance(value, str) and value.isprintable() and value.strip():
        assert escape(value) in page
    assert mentee_enrolment.status == EnrolmentStatus.ACTIVE
    assert mentee_enrolment.application.status == ApplicationStatus.ELIGIBLE
    assert pairing.status == PairingStatus.ENGAGED
    assert Letter.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_withdrawal_reason_stripped_before_limit(mentee_client, mentee_enrolment, pairing):
    """Surrounding whitespace is stripped before the 2000-character limit is checked."""
    response = mentee_client.post(WITHDRAW_URL, {"reason": "  " + "r" * 2000 + "\r\n"})

    mentee_enrolment.refresh_from_db()
    assert response.status_code == 200
    assert mentee_enrolment.status == EnrolmentStatus.WITHDRAWN


# Limits outside the forms


def test_sign_in_body_over_upload_limit(client, mentee):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (256 KB in the settings) gets our 400 page."""
    response = client.post(SIGN_IN_URL, {"email": "a" * 300_000 + "@example.org"})

    assert response.status_code == 400
    assert "shorten the longest answer" in response.content.decode()
    assert SignInLink.objects.count() == 0
    assert Letter.objects.count() == 0


def test_meeting_add_body_over_upload_limit(mentee_client, pairing):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (256 KB in the settings) gets our 400 page."""
    data = meeting_values() | {"private_notes": "n" * 300_000}

    response = mentee_client.post(reverse("meetings:meeting_add", args=[pairing.pk]), data)

    assert response.status_code == 400
    assert Meeting.objects.count() == 0


LINK_TOKENS = {
    "single character": "x",
    "spaces": "   ",
    "one over the length limit": "a" * 101,
    "10 KB": "a" * 10_000,
    "unicode": "Вход-登录-دخول",
    "path-like encoded": "..%2F..%2Fetc%2Fpasswd",
    "sql-like": "' OR '1'='1' --",
    "nul": "abc\x00def",
}


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("label", LINK_TOKENS)
def test_sign_in_link_garbage_token(client, mentee, label, method):
    path = f"/portal/sign-in/{quote(LINK_TOKENS[label], safe='')}/"

    response = getattr(client, method)(path)

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    assert SESSION_PERSON not in client.session
    assert SignInLink.objects.count() == 0


HUGE_IDS = {
    "zero": "0",
    "above bigint": "9223372036854775808",
    "23 digits": "9" * 23,
    "5000 digits": "9" * 5000,
}


@pytest.mark.parametrize("label", HUGE_IDS)
def test_meeting_pages_huge_id_not_found(mentee_client, pairing, label):
    number = HUGE_IDS[label]
    paths = [
        f"/portal/pairings/{number}/meetings/new/",
        f"/portal/meetings/{number}/edit/",
        f"/portal/meetings/{number}/delete/",
    ]

    for path in paths:
        response = mentee_client.post(path, meeting_values())
        assert response.status_code == 404, path
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize("invisible", ["\u200b", "\u200b\u2060", "\u00a0\u200b", "\ufeff"])
def test_invisible_only_topic_counts_as_empty(mentee_client, pairing, invisible):
    data = {
        "held_on": (pairing.engaged_on).isoformat(),
        "minutes": "30",
        "proposed_by": "mentee",
        "theme": "career",
        "topic": invisible,
    }

    response = mentee_client.post(reverse("meetings:meeting_add", args=[pairing.pk]), data)

    assert response.status_code == 400
    assert "Please describe the topic in one line." in response.content.decode()
    assert not Meeting.objects.exists()
