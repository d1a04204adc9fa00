import datetime
import hashlib
import re
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programme.core.models import AuditEvent
from programme.letters.models import Letter, LetterKind
from programme.meetings import views
from programme.meetings.access import SESSION_PERSON
from programme.meetings.models import SignInLink
from programme.meetings.services import (
    SignInLinkError,
    request_sign_in_link,
    use_sign_in_link,
)
from programme.vetting.models import EnrolmentStatus
from programme.vetting.services import withdraw_application
from tests.factories import ApplicationFactory, PersonFactory
from tests.meetings.conftest import sign_in_as
from tests.vetting.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

SIGN_IN_URL = reverse("meetings:sign_in")
HOME_URL = reverse("meetings:home")
LINK_PATTERN = re.compile(r"/portal/sign-in/([A-Za-z0-9_-]+)/")


def ask_for_link(client: Client, address: str):
    return client.post(SIGN_IN_URL, {"email": address})


def token_from_letter(letter: Letter) -> str:
    return LINK_PATTERN.search(letter.body).group(1)


def link_url(token: str) -> str:
    return reverse("meetings:use_link", args=[token])


def new_link(person) -> str:
    """Create a sign-in link for the person's first address and return its token."""
    link = request_sign_in_link(address=person.primary_email)
    letter = Letter.objects.get(idempotency_key=f"sign-in-link:{link.pk}")
    return token_from_letter(letter)


def test_sign_in_page_shows_form(client):
    response = client.get(SIGN_IN_URL)

    assert response.status_code == 200
    assert "Send me a sign-in link" in response.content.decode()


def test_sign_in_known_address_queues_letter(client, mentee):
    response = ask_for_link(client, "nadia@example.org")

    letter = Letter.objects.get(kind=LetterKind.SIGN_IN_LINK)
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:sign_in_sent")
    assert letter.to_list == ["nadia@example.org"]
    assert letter.cc_list == ["nadia.home@example.net"]
    assert letter.person == mentee
    assert letter.idempotency_key == f"sign-in-link:{SignInLink.objects.get().pk}"
    assert "30 minutes" in letter.body


def test_sign_in_stores_only_token_hash(client, mentee):
    ask_for_link(client, "nadia@example.org")

    token = token_from_letter(Letter.objects.get(kind=LetterKind.SIGN_IN_LINK))
    link = SignInLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash


def test_sign_in_link_expires_after_setting(client, mentee):
    before = timezone.now()

    ask_for_link(client, "nadia@example.org")

    link = SignInLink.objects.get()
    assert before + datetime.timedelta(minutes=30) <= link.expires_at
    assert link.expires_at <= timezone.now() + datetime.timedelta(minutes=30)


def test_sign_in_second_address_works(client, mentee):
    ask_for_link(client, "  Nadia.Home@Example.NET ")

    assert SignInLink.objects.get().person == mentee


def test_sign_in_same_answer_for_any_address(mentee):
    withdrawn = EnrolmentFactory(status=EnrolmentStatus.WITHDRAWN)
    addresses = {
        "known": "nadia@example.org",
        "unknown": "nobody@example.org",
        "withdrawn": withdrawn.application.person.primary_email,
    }
    answers = {}

    for label, address in addresses.items():
        response = Client().post(SIGN_IN_URL, {"email": address}, follow=True)
        answers[label] = (response.status_code, response.redirect_chain, response.content)

    assert answers["unknown"] == answers["known"]
    assert answers["withdrawn"] == answers["known"]
    assert SignInLink.objects.filter(person=mentee).count() == 1
    assert SignInLink.objects.count() == 1


def test_sign_in_applicant_gets_no_link(client):
    ApplicationFactory(person=PersonFactory(primary_email="applicant@example.org"))

    ask_for_link(client, "applicant@example.org")

    assert SignInLink.objects.count() == 0


def test_sign_in_recently_ended_gets_link(client):
    enrolment = EnrolmentFactory(
        status=EnrolmentStatus.ENDED,
        starts_on=timezone.localdate() - datetime.timedelta(days=400),
        ends_on=timezone.localdate() - datetime.timedelta(days=40),
    )

    ask_for_link(client, enrolment.application.person.primary_email)

    assert SignInLink.objects.count() == 1


def test_sign_in_ended_long_ago_gets_no_link(client):
    enrolment = EnrolmentFactory(
        status=EnrolmentStatus.ENDED,
        starts_on=timezone.localdate() - datetime.timedelta(days=800),
        ends_on=timezone.localdate() - datetime.timedelta(days=400),
    )

    ask_for_link(client, enrolment.application.person.primary_email)

    assert SignInLink.objects.count() == 0


def test_sign_in_invalid_address_keeps_value(client):
    response = ask_for_link(client, "nadia at example")

    assert response.status_code == 400
    assert 'value="nadia at example"' in response.content.decode()


def test_sign_in_rate_limited_per_address(client, mentee, monkeypatch):
    monkeypatch.setattr(views, "SIGN_IN_LIMIT_PER_ADDRESS", 2)

    statuses = [ask_for_link(Client(), "nadia@example.org").status_code for _ in range(3)]
    rejected = ask_for_link(client, "NADIA@example.org")

    assert statuses == [302, 302, 429]
    assert rejected.status_code == 429
    assert 'value="NADIA@example.org"' in rejected.content.decode()
    assert SignInLink.objects.count() == 2


def test_sign_in_rate_limited_per_client(client, mentee, monkeypatch):
    monkeypatch.setattr(views, "SIGN_IN_LIMIT_PER_CLIENT", 2)

    statuses = [
        ask_for_link(client, f"someone{number}@example.org").status_code for number in range(2)
    ]
    rejected = ask_for_link(client, "nadia@example.org")

    assert statuses == [302, 302]
    assert rejected.status_code == 429
    assert SignInLink.objects.count() == 0


def test_use_link_get_changes_nothing(client, mentee):
    token = new_link(mentee)

    response = client.get(link_url(token))

    link = SignInLink.objects.get()
    assert response.status_code == 200
    assert '<button type="submit" class="btn btn-primary btn-lg">Sign in</button>' in (
        response.content.decode()
    )
    assert link.used_at is None
    assert SESSION_PERSON not in client.session


def test_use_link_post_signs_in(client, mentee):
    token = new_link(mentee)

    response = client.post(link_url(token))

    link = SignInLink.objects.get()
    assert response.status_code == 302
    assert response["Location"] == HOME_URL
    assert link.used_at is not None
    assert client.session[SESSION_PERSON] == mentee.pk
    assert client.get(HOME_URL).status_code == 200
    assert AuditEvent.objects.filter(action="meetings.sign_in_link.used").count() == 1


def test_use_link_changes_session_key(client, mentee):
    token = new_link(mentee)
    client.get(SIGN_IN_URL)
    session = client.session
    session["planted"] = True
    session.save()
    key_before = client.session.session_key

    client.post(link_url(token))

    assert client.session.session_key != key_before


def test_use_link_works_once(mentee):
    token = new_link(mentee)
    Client().post(link_url(token))
    second = Client()

    on_get = second.get(link_url(token))
    on_post = second.post(link_url(token))

    assert on_get.status_code == 400
    assert on_post.status_code == 400
    assert "already been used" in on_post.content.decode()
    assert SESSION_PERSON not in second.session


def test_use_link_expired_rejected(client, mentee):
    token = new_link(mentee)
    SignInLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    on_get = client.get(link_url(token))
    on_post = client.post(link_url(token))

    assert on_get.status_code == 400
    assert "This link has expired" in on_post.content.decode()
    assert 'action="/portal/sign-in/"' in on_post.content.decode()
    assert SignInLink.objects.get().used_at is None
    assert SESSION_PERSON not in client.session


def test_use_link_unknown_token_rejected(client):
    response = client.post(link_url("not-a-token"))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()


def test_use_link_withdrawn_meanwhile_rejected(client, mentee_enrolment):
    person = mentee_enrolment.application.person
    token = new_link(person)
    withdraw_application(application=mentee_enrolment.application, reason="", by_applicant=False)

    response = client.post(link_url(token))

    assert response.status_code == 400
    assert SESSION_PERSON not in client.session


def test_use_link_pages_not_cached(client, mentee):
    token = new_link(mentee)

    response = client.get(link_url(token))

    assert "no-store" in response["Cache-Control"]


def test_idle_session_signed_out(client, mentee):
    sign_in_as(client, mentee)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31), tick=False):
        response = client.get(HOME_URL)
        sign_in_page = client.get(SIGN_IN_URL)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN_URL
    assert "nothing happened for a while" in sign_in_page.content.decode()
    assert SESSION_PERSON not in client.session


def test_active_session_stays_signed_in(client, mentee):
    sign_in_as(client, mentee)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        first = client.get(HOME_URL)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=40), tick=False):
        second = client.get(HOME_URL)

    assert first.status_code == 200
    assert second.status_code == 200


def test_sign_out_needs_post(mentee_client):
    response = mentee_client.get(reverse("meetings:sign_out"))

    assert response.status_code == 405
    assert mentee_client.get(HOME_URL).status_code == 200


def test_sign_out_ends_session(mentee_client):
    response = mentee_client.post(reverse("meetings:sign_out"), follow=True)

    assert "You are signed out" in response.content.decode()
    assert mentee_client.get(HOME_URL).status_code == 302


def test_withdrawn_by_office_signed_out(mentee_client, mentee_enrolment):
    withdraw_application(application=mentee_enrolment.application, reason="", by_applicant=False)

    response = mentee_client.get(HOME_URL)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN_URL


def test_signed_in_visitor_skips_sign_in_page(mentee_client):
    response = mentee_client.get(SIGN_IN_URL)

    assert response.status_code == 302
    assert response["Location"] == HOME_URL


LINK_ROUNDS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) are only real on PostgreSQL; SQLite admits one "
    "writer at a time, so there is no race to test",
)
def test_use_link_twice_at_once_signs_in_once(mentee):
    outcomes_per_round = []

    for _ in range(LINK_ROUNDS):
        token = new_link(mentee)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def use(token: str = token, barrier: threading.Barrier = barrier, outcomes=outcomes):
            try:
                barrier.wait()
                use_sign_in_link(token=token)
                outcomes.append("signed in")
            except SignInLinkError as error:
                outcomes.append(error.reason)
            except Exception as error:  # recorded, so the assert below shows it
                outcomes.append(f"crashed: {type(error).__name__}: {error}")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=use) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        outcomes_per_round.append(sorted(outcomes))

    assert outcomes_per_round == [["signed in", "used"]] * LINK_ROUNDS
    assert SignInLink.objects.filter(used_at__isnull=True).count() == 0
