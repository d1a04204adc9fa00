import datetime
import logging

import pypdfium2
import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.urls import reverse

from programme.core.models import AuditEvent, ProgrammeSettings
from programme.core.roles import CORE_TEAM, OFFICE
from programme.letters.certificates import (
    CODE_ALPHABET,
    find_certificate,
    issue_certificate,
    name_language,
    new_code,
    normalise_code,
    read_stored_pdf,
    render_certificate_pdf,
    stored_certificate_pdf,
)
from programme.letters.models import Certificate, Letter, LetterKind
from programme.letters.services import build_message, queue_letter
from tests.core.staff import create_staff_user, signed_in_client
from tests.factories import PersonFactory

CERTIFICATE_ADMIN_URL = reverse("admin:letters_certificate_changelist")
NAMES_IN_SCRIPTS = {
    "latin": "Zoë Łukasiewicz-Ørsted",
    "greek": "Αικατερίνη Παπαδοπούλου",
    "arabic": "فاطمة الزهراء",
    "chinese": "王秀英",
}


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[index].get_textpage().get_text_range() for index in range(len(document))]
    return " ".join(" ".join(pages).split())


def issue(person=None, *, key: str = "pairing:1:mentee", role: str = "mentee"):
    certificate, _ = issue_certificate(
        source_key=key,
        person=person or PersonFactory(),
        role=role,
        starts_on=datetime.date(2027, 1, 15),
        ends_on=datetime.date(2028, 1, 15),
    )
    return certificate


# Codes


def test_new_code_format():
    code = new_code()

    groups = code.split("-")
    assert [len(group) for group in groups] == [4, 4, 4]
    assert set("".join(groups)) <= set(CODE_ALPHABET)


def test_code_alphabet_has_no_ambiguous_characters():
    assert set("0O1I") & set(CODE_ALPHABET) == set()


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD-EFGH-JK23",
        "abcd-efgh-jk23",
        " abcd efgh jk23 ",
        "ABCDEFGHJK23",
        "ABCD\u2013EFGH\u2014JK23",
    ],
)
def test_normalise_code_accepts_variants(typed):
    assert normalise_code(typed) == "ABCD-EFGH-JK23"


@pytest.mark.parametrize(
    "typed", ["", "ABCD-EFGH-JK2", "ABCD-EFGH-JK234", "ABCD-EFGH-JK20", "OBCD-EFGH-JK23", "<b>"]
)
def test_normalise_code_rejects_non_codes(typed):
    assert normalise_code(typed) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Zoë Ørsted", "und"),
        ("Αικατερίνη", "el"),
        ("فاطمة", "ar"),
        ("王秀英", "zh"),
        ("Алексей", "ru"),
    ],
)
def test_name_language_by_script(name, expected):
    assert name_language(name) == expected


# issue_certificate


@pytest.mark.django_db
def test_issue_certificate_copies_name():
    person = PersonFactory(given_name="Nadia", family_name="Rahman")

    certificate = issue(person)

    assert certificate.holder_name == "Nadia Rahman"
    assert certificate.person == person
    assert normalise_code(certificate.code) == certificate.code
    assert AuditEvent.objects.filter(
        action="letters.certificate.issued", object_id=str(certificate.pk)
    ).exists()


@pytest.mark.django_db
def test_issue_certificate_once_per_source_key():
    person = PersonFactory()
    first, created_first = issue_certificate(
        source_key="pairing:4:mentor",
        person=person,
        role="mentor",
        starts_on=datetime.date(2027, 1, 15),
        ends_on=datetime.date(2028, 1, 15),
    )

    second, created_second = issue_certificate(
        source_key="pairing:4:mentor",
        person=person,
        role="mentor",
        starts_on=datetime.date(2027, 1, 15),
        ends_on=datetime.date(2028, 1, 15),
    )

    assert created_first is True
    assert created_second is False
    assert second.pk == first.pk
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_issue_certificate_codes_differ():
    codes = {issue(key=f"pairing:{number}:mentee").code for number in range(20)}

    assert len(codes) == 20


@pytest.mark.django_db
def test_find_certificate_normalises_code():
    certificate = issue()

    found = find_certificate(certificate.code.lower().replace("-", " "))

    assert found.pk == certificate.pk


# The PDF


@pytest.mark.django_db
@pytest.mark.parametrize("script", NAMES_IN_SCRIPTS)
def test_certificate_pdf_prints_name_and_code(script, caplog):
    certificate = issue(PersonFactory(given_name=NAMES_IN_SCRIPTS[script], family_name=""))
    certificate.holder_name = NAMES_IN_SCRIPTS[script]
    caplog.set_level(logging.WARNING, logger="weasyprint")

    text = pdf_text(render_certificate_pdf(certificate))

    assert NAMES_IN_SCRIPTS[script] in text
    assert certificate.code in text
    # WeasyPrint warns when a font lacks a glyph and an empty box is printed.
    assert [record.message for record in caplog.records if ".notdef" in record.message] == []


@pytest.mark.django_db
def test_certificate_pdf_content():
    programme = ProgrammeSettings.objects.get_current()
    programme.certificate_signatory = "Dr Jane Example, Chair"
    programme.save()
    certificate = issue(role="mentor")

    pdf = render_certificate_pdf(certificate)

    text = pdf_text(pdf)
    assert programme.society_name in text
    assert "Certificate of completion" in text
    assert "as a mentor" in text
    assert "from 15 January 2027 to 15 January 2028" in text
    assert "Dr Jane Example, Chair" in text
    assert f"http://testserver/certificates/verify/?code={certificate.code}" in text


@pytest.mark.django_db
def test_certificate_pdf_is_one_landscape_a4_page():
    document = pypdfium2.PdfDocument(render_certificate_pdf(issue()))

    width, height = document[0].get_size()

    assert len(document) == 1
    # A4 is 297 x 210 mm; PDF sizes are in points of 1/72 inch.
    assert round(width / 72 * 25.4) == 297
    assert round(height / 72 * 25.4) == 210


@pytest.mark.django_db
def test_stored_certificate_pdf_renders_once():
    certificate = issue()

    first = stored_certificate_pdf(certificate.pk)
    second = stored_certificate_pdf(certificate.pk)

    assert first.startswith(b"%PDF")
    assert second == first
    assert read_stored_pdf(certificate.pk) == first


@pytest.mark.django_db
def test_stored_certificate_pdf_is_encrypted():
    certificate = issue()

    pdf = stored_certificate_pdf(certificate.pk)

    stored = bytes(Certificate.objects.values_list("pdf", flat=True).get(pk=certificate.pk))
    assert b"%PDF" not in stored
    assert certificate.code.encode("ascii") not in stored
    assert pdf.startswith(b"%PDF")


@pytest.mark.django_db
def test_stored_certificate_pdf_unreadable_rendered_again(settings):
    certificate = issue()
    stored_certificate_pdf(certificate.pk)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode("ascii")]
    Certificate.objects.filter(pk=certificate.pk).update(holder_name="Nadia Rahman")

    pdf = stored_certificate_pdf(certificate.pk)

    assert certificate.code in pdf_text(pdf)
    assert read_stored_pdf(certificate.pk) == pdf


@pytest.mark.django_db(transaction=True)
def test_render_task_stores_pdf(run_worker):
    certificate = issue()

    run_worker()

    assert read_stored_pdf(certificate.pk).startswith(b"%PDF")


@pytest.mark.django_db
def test_build_message_attaches_certificate():
    certificate = issue()
    letter = queue_letter(
        kind=LetterKind.CERTIFICATE,
        idempotency_key="test:certificate",
        to=["someone@example.org"],
        values={
            "recipient_name": "Someone",
            "role": "mentee",
            "programme_start": "15 January 2027",
            "programme_end": "15 January 2028",
            "verification_code": certificate.code,
            "verify_link": "http://testserver/certificates/verify/",
            "portal_link": "http://testserver/portal/",
        },
    )
    Letter.objects.filter(pk=letter.pk).update(certificate=certificate)
    letter.refresh_from_db()

    message = build_message(letter)

    assert [(name, kind) for name, _, kind in message.attachments] == [
        (f"certificate-{certificate.pk}.pdf", "application/pdf")
    ]
    assert certificate.code in pdf_text(message.attachments[0][1])
    assert mail.outbox == []


# The office's certificate list


@pytest.mark.django_db
def test_certificate_admin_search_by_code():
    shown = issue(key="pairing:1:mentee")
    issue(key="pairing:2:mentee")
    client = signed_in_client(create_staff_user("office", group=OFFICE))

    response = client.get(CERTIFICATE_ADMIN_URL, {"q": shown.code.lower().replace("-", " ")})

    assert response.status_code == 200
    assert [certificate.pk for certificate in response.context["cl"].result_list] == [shown.pk]


@pytest.mark.django_db
def test_certificate_admin_is_read_only():
    certificate = issue()
    client = signed_in_client(create_staff_user("office", group=OFFICE))

    response = client.post(
        reverse("admin:letters_certificate_change", args=[certificate.pk]),
        {"code": "AAAA-AAAA-AAAA"},
    )

    assert response.status_code == 403
    certificate.refresh_from_db()
    assert certificate.code != "AAAA-AAAA-AAAA"


@pytest.mark.django_db
def test_certificate_admin_core_team_forbidden():
    issue()
    client = signed_in_client(create_staff_user("core-member", group=CORE_TEAM))

    response = client.get(CERTIFICATE_ADMIN_URL)

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_certificate_admin_query_count_constant(django_assert_num_queries, count):
    for number in range(count):
        issue(key=f"pairing:{number}:mentee")
    client = signed_in_client(create_staff_user("office", group=OFFICE))

    # Session, user, TOTP device, permissions (two), the filter's total, the
    # page's count, the certificates with their people and the roles offered
    # by the filter.
    with django_assert_num_queries(9):
        response = client.get(CERTIFICATE_ADMIN_URL)

    assert len(response.context["cl"].result_list) == count
