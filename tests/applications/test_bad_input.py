"""Hostile and malformed input on every field of both application forms.

Each case ends in a redirect, when the value is acceptable and stored, or in a
400 with the form shown again and nothing stored. No case may cause a 500, and
markup never comes back unescaped.
"""

import pytest
from django.urls import reverse

from programme.applications.models import Application
from programme.core.models import Person
from tests.applications.conftest import mentee_answers, mentor_answers

MARKUP = '<script>alert("x")</script>'
BAD_VALUES = {
    "very long": "x" * 20_000,
    "nul": "a\x00b",
    "crlf": "a\r\nBcc: victim@example.com",
    "bidi override": "abc\u202edef",
    "markup": MARKUP,
    "quotes": 'O\'Brien "Jr" `x`',
    "wrong type": "not-a-number-or-choice",
    "missing": None,
    "list": ["one", "two"],
}
# Fields outside the applicant's answers: the hidden token and the honeypot
# have their own tests.
SKIPPED = {"form_token", "website"}


def cases(role: str, answers) -> list:
    fields = [name for name in answers() if name not in SKIPPED]
    return [(role, answers, field, label) for field in fields for label in BAD_VALUES]


ALL_CASES = cases("mentee", mentee_answers) + cases("mentor", mentor_answers)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "answers", "field", "label"),
    ALL_CASES,
    ids=[f"{role}-{field}-{label}" for role, _, field, label in ALL_CASES],
)
def test_bad_input_never_errors_or_half_stores(client, role, answers, field, label):
    data = answers()
    value = BAD_VALUES[label]
    if value is None:
        data.pop(field)
    else:
        data[field] = value

    response = client.post(reverse("applications:apply", kwargs={"role": role}), data)

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert Application.objects.count() == 0
        assert Person.objects.count() == 0
        assert MARKUP not in response.content.decode()
    else:
        assert Application.objects.count() == 1
        assert Person.objects.count() == 1


@pytest.mark.django_db
def test_markup_in_name_stored_verbatim_and_escaped(client):
    data = mentee_answers(given_name=MARKUP)

    client.post(reverse("applications:apply", kwargs={"role": "mentee"}), data)

    assert Person.objects.get().given_name == MARKUP


@pytest.mark.django_db
def test_quotes_in_motivation_stored_verbatim(client):
    data = mentor_answers(motivation=BAD_VALUES["quotes"])

    client.post(reverse("applications:apply", kwargs={"role": "mentor"}), data)

    assert Application.objects.get().motivation == BAD_VALUES["quotes"]
