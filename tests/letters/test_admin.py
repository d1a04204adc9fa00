import pypdfium2
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from programme.core.roles import CORE_TEAM, OFFICE
from programme.letters.models import Letter, LetterKind, LetterState, LetterTemplate
from programme.letters.services import create_batch, queue_letter
from tests.core.staff import create_staff_user, signed_in_client
from tests.factories import PersonFactory


@pytest.fixture
def office(db):
    return signed_in_client(create_staff_user("officer", group=OFFICE))


@pytest.fixture
def core_member(db):
    return signed_in_client(create_staff_user("core", group=CORE_TEAM))


def tips_letter(number: int, **overrides) -> Letter:
    person = PersonFactory()
    arguments = {
        "kind": LetterKind.TIPS_BULLETIN,
        "idempotency_key": f"tips:{number}",
        "to": [person.primary_email],
        "cc": [person.secondary_email],
        "person": person,
        "values": {"recipient_name": person.full_name, "tips_link": "http://testserver/tips/"},
    }
    return queue_letter(**(arguments | overrides))


@pytest.mark.django_db
def test_template_list_creates_every_kind(office):
    response = office.get(reverse("admin:letters_lettertemplate_changelist"))

    assert response.status_code == 200
    assert LetterTemplate.objects.count() == len(LetterKind.values)


@pytest.mark.django_db
def test_template_save_rejects_unknown_placeholder(office):
    template = LetterTemplate.objects.for_kind(LetterKind.TIPS_BULLETIN)
    url = reverse("admin:letters_lettertemplate_change", args=[template.pk])

    response = office.post(
        url, {"subject": template.subject, "body": "Dear {{ recipient_name }}, {{ iban }}"}
    )

    template.refresh_from_db()
    assert response.status_code == 200
    assert "Unknown placeholder {{ iban }}" in response.content.decode()
    assert "{{ iban }}" not in template.body


@pytest.mark.django_db
def test_template_save_keeps_valid_edit(office):
    template = LetterTemplate.objects.for_kind(LetterKind.TIPS_BULLETIN)
    url = reverse("admin:letters_lettertemplate_change", args=[template.pk])

    response = office.post(
        url, {"subject": "Ten tips", "body": "Dear {{ recipient_name }},\n\nRead {{ tips_link }}."}
    )

    template.refresh_from_db()
    assert response.status_code == 302
    assert template.subject == "Ten tips"


@pytest.mark.django_db
def test_template_preview_shows_sample_names(office):
    template = LetterTemplate.objects.for_kind(LetterKind.HEAD_OF_DEPARTMENT)

    page = office.get(reverse("admin:letters_lettertemplate_preview", args=[template.pk]))
    pdf = office.get(reverse("admin:letters_lettertemplate_preview_pdf", args=[template.pk]))

    assert "Zoë Παπαδοπούλου" in page.content.decode()
    assert pdf["Content-Type"] == "application/pdf"
    text = pypdfium2.PdfDocument(pdf.content)[0].get_textpage().get_text_range()
    assert "Zoë Παπαδοπούλου" in text


@pytest.mark.django_db
def test_letter_list_query_count_constant(office):
    tips_letter(1)
    url = reverse("admin:letters_letter_changelist")
    with CaptureQueriesContext(connection) as one:
        office.get(url)
    tips_letter(2)
    tips_letter(3)

    with CaptureQueriesContext(connection) as three:
        response = office.get(url)

    assert response.context["cl"].result_count == 3
    assert len(one.captured_queries) == len(three.captured_queries)


@pytest.mark.django_db
def test_letters_of_one_person(office):
    letter = tips_letter(1)
    tips_letter(2)

    response = office.get(
        reverse("admin:letters_letter_changelist"), {"person__id__exact": letter.person_id}
    )

    assert response.context["cl"].result_count == 1


@pytest.mark.django_db
def test_letter_search_by_exact_email(office):
    letter = tips_letter(1)
    tips_letter(2)

    response = office.get(
        reverse("admin:letters_letter_changelist"), {"q": letter.to_list[0].upper()}
    )

    assert response.context["cl"].result_count == 1


@pytest.mark.django_db
def test_failed_letters_list_shows_only_failed(office):
    failed = tips_letter(1)
    tips_letter(2)
    Letter.objects.filter(pk=failed.pk).update(
        state=LetterState.FAILED, last_error="ConnectionRefusedError: refused", attempts=5
    )

    response = office.get(reverse("admin:letters_failedletter_changelist"))

    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [failed.pk]
    assert "ConnectionRefusedError" in response.content.decode()


@pytest.mark.django_db
def test_resend_action_creates_copy(office):
    letter = tips_letter(1)
    Letter.objects.filter(pk=letter.pk).update(state=LetterState.SENT)

    office.post(
        reverse("admin:letters_letter_changelist"),
        {"action": "send_again", ACTION_CHECKBOX_NAME: [letter.pk]},
    )

    copy = Letter.objects.get(resend_of=letter)
    assert copy.state == LetterState.APPROVED
    assert copy.to_list == letter.to_list


@pytest.mark.django_db
def test_letter_pdf_view(office):
    letter = queue_letter(
        kind=LetterKind.ENROLMENT_MENTEE,
        idempotency_key="enrolment:test",
        to=["a@example.org"],
        values={
            "recipient_name": "Zoë Łukasiewicz",
            "term_start": "1 March 2027",
            "term_end": "29 February 2028",
            "head_of_department_name": "Dr Head",
            "tips_link": "http://testserver/tips/",
        },
    )

    response = office.get(reverse("admin:letters_letter_pdf", args=[letter.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_batch_review_shows_count_and_approves(office):
    batch = create_batch(kind=LetterKind.TIPS_BULLETIN, description="Tips")
    for number in range(2):
        tips_letter(number, batch=batch)
    url = reverse("admin:letters_letterbatch_review", args=[batch.pk])

    page = office.get(url).content.decode()
    office.post(url)
    office.post(url)

    first = Letter.objects.filter(batch=batch).order_by("pk").first()
    assert f"<td>{escape(first.recipient_name)}</td>" in page
    assert f"<td>{escape(first.to_list[0])}, {escape(first.cc_list[0])}</td>" in page
    assert "<td>Tips bulletin</td>" in page
    assert "2 letters</strong> are waiting" in page
    assert "Approve and send 2 letters" in page
    assert Letter.objects.filter(batch=batch, state=LetterState.APPROVED).count() == 2


@pytest.mark.django_db
def test_core_team_cannot_see_letters(core_member):
    letter = tips_letter(1)

    responses = [
        core_member.get(reverse("admin:letters_letter_changelist")),
        core_member.get(reverse("admin:letters_letter_pdf", args=[letter.pk])),
        core_member.get(reverse("admin:letters_failedletter_changelist")),
        core_member.get(reverse("admin:letters_lettertemplate_changelist")),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403, 403]


def test_batch_list_names_mixed_kinds(office):
    batch = create_batch(kind=LetterKind.TIPS_BULLETIN, description="Mixed")
    tips_letter(1, batch=batch)
    other = tips_letter(2, batch=batch)
    # Batches of decisions hold letters of several kinds, such as a head of
    # department's letter beside a mentee's enrolment letter.
    Letter.objects.filter(pk=other.pk).update(kind=LetterKind.NOT_ELIGIBLE)

    page = office.get(reverse("admin:letters_letterbatch_changelist")).content.decode()

    assert "Tips bulletin and 1 other kind" in page
