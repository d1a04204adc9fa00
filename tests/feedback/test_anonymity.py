"""Responses cannot be traced to a person: checked on the schema and on stored data."""

import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from programme.applications.models import Role
from programme.core.models import Person
from programme.feedback.models import Answer, Invitation, Response
from programme.matching.models import Pairing
from programme.vetting.models import Enrolment
from tests.feedback.helpers import due_pairing, invitations_for, respond

TRACEABLE_MODELS = {
    Person,
    Enrolment,
    Pairing,
    Invitation,
    apps.get_model(settings.AUTH_USER_MODEL),
}
# DateTimeField is a subclass of DateField, so it is included.
TIME_FIELDS = (models.DateField, models.TimeField, models.DurationField)


@pytest.mark.parametrize("model", [Response, Answer])
def test_schema_has_no_link_to_people(model):
    targets = {
        field.related_model
        for field in model._meta.get_fields()
        if field.is_relation and field.related_model is not None
    }

    assert targets & TRACEABLE_MODELS == set()


@pytest.mark.parametrize("model", [Response, Answer])
def test_schema_has_no_time_field(model):
    time_fields = [
        field.name for field in model._meta.concrete_fields if isinstance(field, TIME_FIELDS)
    ]

    assert time_fields == []


@pytest.mark.parametrize("model", [Response, Answer])
def test_schema_primary_key_is_uuid(model):
    assert isinstance(model._meta.pk, models.UUIDField)
    assert model._meta.pk.default is uuid.uuid4


def test_only_answers_point_at_responses():
    pointing = {
        field.related_model
        for field in Response._meta.get_fields()
        if field.auto_created and not field.concrete
    }

    assert pointing == {Answer}


def raw_rows(model) -> list[dict]:
    """Every row as the database stores it, keyed by column name."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (the table name comes from the model)
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


# Record numbers far from any answer value, so finding one in a column means a leak.
DISTINCT_IDS = {
    "mentor_enrolment__application__person__id": 900001,
    "mentee_enrolment__application__person__id": 900002,
    "mentor_enrolment__application__id": 910001,
    "mentee_enrolment__application__id": 910002,
    "mentor_enrolment__id": 920001,
    "mentee_enrolment__id": 920002,
    "id": 930001,
}


@pytest.fixture
def two_responses():
    """A pairing whose mentor and mentee have both answered, and the pairing's invitations."""
    pairing = due_pairing(**DISTINCT_IDS)
    invitations = invitations_for(pairing)
    respond(invitations[Role.MENTOR], meetings=4, text="We met often.")
    respond(invitations[Role.MENTEE], meetings=4, text="It was useful.")
    return pairing, invitations


@pytest.mark.django_db
def test_stored_responses_hold_role_and_cycle_only(two_responses):
    pairing, invitations = two_responses
    questionnaire_id = invitations[Role.MENTOR].questionnaire_id

    rows = raw_rows(Response)

    assert len(rows) == 2
    for row in rows:
        assert set(row) == {"id", "questionnaire_id", "role", "cycle"}
        assert uuid.UUID(str(row["id"]))
        assert row["questionnaire_id"] == questionnaire_id
        assert row["cycle"] == str(pairing.engaged_on.year)
    assert sorted(row["role"] for row in rows) == [Role.MENTEE, Role.MENTOR]


@pytest.mark.django_db
def test_stored_answers_hold_answers_only(two_responses):
    _, invitations = two_responses
    question_ids = set(
        invitations[Role.MENTOR].questionnaire.questions.values_list("pk", flat=True)
    )
    response_ids = {str(row["id"]).replace("-", "") for row in raw_rows(Response)}

    rows = raw_rows(Answer)

    assert len(rows) == 2 * 13
    for row in rows:
        assert set(row) == {
            "id",
            "response_id",
            "question_id",
            "scale",
            "number",
            "topics",
            "text",
        }
        assert str(row["response_id"]).replace("-", "") in response_ids
        assert row["question_id"] in question_ids
        assert row["scale"] in {None, 5}
        assert row["number"] in {None, 4}


@pytest.mark.django_db
def test_stored_rows_hold_no_identifier_or_name(two_responses):
    _, invitations = two_responses
    people = [invitation.enrolment.application.person for invitation in invitations.values()]
    identifiers = {str(number) for number in DISTINCT_IDS.values()}
    words = {
        value
        for person in people
        for value in (person.given_name, person.family_name, person.primary_email)
    }

    cells = [
        str(cell)
        for model in (Response, Answer)
        for row in raw_rows(model)
        for cell in row.values()
        if cell is not None
    ]

    for value in identifiers | words | {"We met often.", "It was useful."}:
        assert [cell for cell in cells if value in cell] == [], value
