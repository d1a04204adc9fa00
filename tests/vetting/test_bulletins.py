import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from programme.letters.models import Letter, LetterKind, LetterState
from programme.vetting.bulletins import prepare_tips_bulletin
from programme.vetting.models import EnrolmentStatus
from tests.vetting.factories import EnrolmentFactory


@pytest.mark.django_db
def test_bulletin_drafts_one_letter_per_active_participant():
    active = EnrolmentFactory.create_batch(3)
    ended = EnrolmentFactory(status=EnrolmentStatus.WITHDRAWN)

    batch = prepare_tips_bulletin(enrolments=[*active, ended], actor=None)

    letters = Letter.objects.filter(batch=batch)
    assert letters.count() == 3
    assert set(letters.values_list("state", flat=True)) == {LetterState.DRAFT}
    assert set(letters.values_list("kind", flat=True)) == {LetterKind.TIPS_BULLETIN}


@pytest.mark.django_db
def test_bulletin_copies_second_address():
    enrolment = EnrolmentFactory()
    person = enrolment.application.person

    batch = prepare_tips_bulletin(enrolments=[enrolment], actor=None)

    letter = batch.letters.get()
    assert letter.to_list == [person.primary_email]
    assert letter.cc_list == [person.secondary_email]
    assert letter.body.startswith(f"Dear {person.full_name},")


@pytest.mark.django_db
def test_bulletin_without_active_participants_creates_nothing():
    ended = EnrolmentFactory(status=EnrolmentStatus.WITHDRAWN)

    batch = prepare_tips_bulletin(enrolments=[ended], actor=None)

    assert batch is None
    assert Letter.objects.count() == 0


@pytest.mark.django_db
def test_bulletin_action_leads_to_batch_review(staff_client):
    client, _ = staff_client("applications.vet_application", "vetting.view_enrolment")
    enrolments = EnrolmentFactory.create_batch(2)

    response = client.post(
        reverse("admin:vetting_enrolment_changelist"),
        {"action": "send_tips_bulletin", ACTION_CHECKBOX_NAME: [e.pk for e in enrolments]},
    )

    batch = Letter.objects.first().batch
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:letters_letterbatch_review", args=[batch.pk])
