import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection

from programme.applications.models import Application
from programme.core.crypto import DecryptionError, blind_index
from programme.core.models import Person
from tests.factories import ApplicationFactory, PersonFactory

SAMPLES = {
    "empty": "",
    "long": "Lorem ipsum dolor sit amet. " * 400,
    "greek": "Αικατερίνη Παπαδοπούλου",
    "arabic": "فاطمة الزهراء",
    "chinese": "王秀英",
    "emoji": "Thanks 🙏🏽 and 🧠",
    "diacritics": "Zoë Łukasiewicz-Ørsted",
}


def raw_cell(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.mark.django_db
@pytest.mark.parametrize("sample", SAMPLES.keys())
def test_encrypted_text_round_trip(sample):
    value = SAMPLES[sample]
    application = ApplicationFactory(motivation=value)

    reloaded = Application.objects.get(pk=application.pk)

    assert reloaded.motivation == value


@pytest.mark.django_db
@pytest.mark.parametrize("sample", ["greek", "arabic", "chinese", "emoji", "diacritics"])
def test_encrypted_name_not_stored_in_plaintext(sample):
    person = PersonFactory(given_name=SAMPLES[sample])

    stored = raw_cell("core_person", "given_name", person.pk)

    assert SAMPLES[sample] not in stored
    assert stored.startswith("gAAAA")  # a Fernet token, version byte 0x80


@pytest.mark.django_db
def test_raw_person_row_contains_no_plaintext():
    person = PersonFactory(
        given_name="Henrietta",
        family_name="Quaglia",
        primary_email="henrietta.quaglia@example.org",
        secondary_email="hq@example.net",
        institution="Ospedale di Esempio",
    )
    plaintexts = [
        "Henrietta",
        "Quaglia",
        "henrietta.quaglia@example.org",
        "hq@example.net",
        "Esempio",
    ]

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM core_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    cells = " ".join(str(cell) for cell in row)

    for plaintext in plaintexts:
        assert plaintext.lower() not in cells.lower()


@pytest.mark.django_db
def test_raw_application_row_contains_no_free_text():
    application = ApplicationFactory(
        motivation="Motivation sentence unique 42",
        head_of_department_name="Professor Sentinel",
        head_of_department_email="sentinel@example.com",
        specific_needs="Needs sentence unique 43",
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM applications_application WHERE id = %s", [application.pk])
        cells = " ".join(str(cell) for cell in cursor.fetchone())

    for plaintext in ["unique 42", "Sentinel", "sentinel@example.com", "unique 43"]:
        assert plaintext not in cells


@pytest.mark.django_db
def test_same_value_encrypts_differently_each_time():
    first = PersonFactory(given_name="Anna")
    second = PersonFactory(given_name="Anna")

    assert raw_cell("core_person", "given_name", first.pk) != raw_cell(
        "core_person", "given_name", second.pk
    )


@pytest.mark.django_db
def test_wrong_key_raises(settings):
    person = PersonFactory(given_name="Keyed")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


@pytest.mark.django_db
def test_tampered_ciphertext_raises():
    person = PersonFactory(given_name="Tampered")
    token = raw_cell("core_person", "given_name", person.pk)
    broken = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_person SET given_name = %s WHERE id = %s", [broken, person.pk])

    with pytest.raises(DecryptionError):
        Person.objects.get(pk=person.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lookup",
    ["exact", "iexact", "contains", "icontains", "startswith", "in", "gt", "regex"],
)
def test_encrypted_field_lookup_raises(lookup):
    value = ["x"] if lookup == "in" else "x"

    with pytest.raises(FieldError):
        Person.objects.filter(**{f"given_name__{lookup}": value}).count()


@pytest.mark.django_db
def test_encrypted_field_plain_equality_raises():
    with pytest.raises(FieldError):
        Person.objects.filter(primary_email="a@example.org").exists()


@pytest.mark.django_db
def test_encrypted_field_transform_raises():
    with pytest.raises(FieldError):
        Person.objects.filter(given_name__lower="x").exists()


@pytest.mark.django_db
def test_encrypted_field_isnull_lookup_allowed():
    ApplicationFactory(membership_number="")

    found = Application.objects.filter(membership_number__isnull=False).count()

    assert found == 1


@pytest.mark.django_db
def test_blind_index_matches_normalised_address():
    person = PersonFactory(primary_email="  Mixed.Case@Example.ORG ")

    index = Person.objects.get(pk=person.pk).primary_email_index

    assert index == blind_index("mixed.case@example.org")


@pytest.mark.django_db
def test_blind_index_follows_address_change():
    person = PersonFactory(primary_email="old@example.org")
    person.primary_email = "new@example.org"
    person.save()

    person.refresh_from_db()

    assert person.primary_email_index == blind_index("new@example.org")


@pytest.mark.django_db
def test_blind_index_is_keyed(settings):
    before = blind_index("someone@example.org")
    settings.BLIND_INDEX_KEY = "another-key-that-is-long-enough-for-the-check-0123"

    after = blind_index("someone@example.org")

    assert before != after


@pytest.mark.django_db(transaction=True)
def test_rotate_encryption_keys_reencrypts_every_row(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    people = [PersonFactory(given_name=f"Ροτα {n}") for n in range(7)]
    applications = [ApplicationFactory(person=person) for person in people]
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_encryption_keys", batch_size=3, stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    new_fernet = Fernet(new_key.encode())
    for person in people:
        token = raw_cell("core_person", "given_name", person.pk)
        assert new_fernet.decrypt(token.encode()).decode() == person.given_name
    for application in applications:
        token = raw_cell("applications_application", "motivation", application.pk)
        assert new_fernet.decrypt(token.encode()).decode() == application.motivation
    reloaded = Person.objects.order_by("pk")
    assert [person.given_name for person in reloaded] == [person.given_name for person in people]


@pytest.mark.django_db(transaction=True)
def test_rotate_encryption_keys_reports_counts(settings, capsys):
    PersonFactory.create_batch(2)
    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]

    call_command("rotate_encryption_keys")

    output = capsys.readouterr().out
    assert "core.Person: 2 rows re-encrypted" in output
