import datetime
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from programme.core.models import AuditEvent, ProgrammeSettings
from programme.core.roles import CORE_TEAM, OFFICE
from programme.letters.models import Letter, LetterKind
from programme.matching.models import Pairing, PairingStatus
from programme.matching.services import add_months
from programme.meetings.checkins import (
    CheckInError,
    answer_checkin,
    make_answer_token,
    read_answer_token,
    resolve_checkin_alert,
    send_due_checkin_reminders,
    send_due_checkins,
)
from programme.meetings.models import CheckIn, CheckInAnswer
from programme.vetting.models import EnrolmentStatus
from tests.core.staff import create_staff_user, signed_in_client
from tests.factories import PersonFactory
from tests.matching.factories import PairingFactory
from tests.matching.test_consensus import enrol_mentee, enrol_mentor

pytestmark = pytest.mark.django_db

ANSWER_LINK = re.compile(r"http://testserver(/check-in/[^/\s]+/)")
CHECKIN_ADMIN_URL = reverse("admin:meetings_checkin_changelist")


def engaged_pairing(*, engaged_on: datetime.date | None = None, mentee=None, mentor=None):
    """An engaged pairing with the due dates engagement sets, engaged today by default."""
    engaged_on = engaged_on or timezone.localdate()
    programme = ProgrammeSettings.objects.get_current()
    return PairingFactory(
        mentee_enrolment=mentee or enrol_mentee(),
        mentor_enrolment=mentor or enrol_mentor(),
        engaged=True,
        engaged_on=engaged_on,
        checkin_due_on=engaged_on + datetime.timedelta(days=programme.checkin_after_days),
        feedback_due_on=add_months(engaged_on, programme.feedback_after_months),
        completion_due_on=add_months(engaged_on, programme.completion_after_months),
    )


def named_pairing(**dates):
    mentee = enrol_mentee(
        person=PersonFactory(
            given_name="Nadia",
            family_name="Rahman",
            primary_email="nadia@example.org",
            secondary_email="nadia.home@example.net",
        )
    )
    mentor = enrol_mentor(
        person=PersonFactory(
            given_name="Paolo",
            family_name="Conti",
            primary_email="paolo@example.org",
            secondary_email="paolo.home@example.net",
        )
    )
    return engaged_pairing(mentee=mentee, mentor=mentor, **dates)


def answer_paths(letter: Letter) -> list[str]:
    return ANSWER_LINK.findall(letter.body)


def events(action: str, target) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(target.pk)).count()


def checkin_of(pairing: Pairing, role: str) -> CheckIn:
    return CheckIn.objects.get(pairing=pairing, enrolment__role=role)


# send_due_checkins


def test_send_due_checkins_one_letter_each():
    pairing = named_pairing()

    created = send_due_checkins(pairing.checkin_due_on)

    assert created == 2
    mentor_checkin = checkin_of(pairing, "mentor")
    mentee_checkin = checkin_of(pairing, "mentee")
    mentor_letter = Letter.objects.get(idempotency_key=f"checkin:{mentor_checkin.pk}")
    mentee_letter = Letter.objects.get(idempotency_key=f"checkin:{mentee_checkin.pk}")
    assert mentor_letter.kind == LetterKind.CHECKIN
    assert mentor_letter.to_list == ["paolo@example.org"]
    assert mentor_letter.cc_list == ["paolo.home@example.net"]
    assert "Nadia Rahman" in mentor_letter.body
    assert mentee_letter.to_list == ["nadia@example.org"]
    assert "Paolo Conti" in mentee_letter.body
    assert mentor_checkin.sent_on == pairing.checkin_due_on


def test_send_due_checkins_links_are_the_participants_own():
    pairing = named_pairing()

    send_due_checkins(pairing.checkin_due_on)

    mentee_checkin = checkin_of(pairing, "mentee")
    letter = Letter.objects.get(idempotency_key=f"checkin:{mentee_checkin.pk}")
    paths = answer_paths(letter)
    assert len(paths) == 3
    read = [read_answer_token(path.split("/")[2]) for path in paths]
    assert [checkin.pk for checkin, _ in read] == [mentee_checkin.pk] * 3
    assert [answer for _, answer in read] == ["met", "in_contact", "cannot_reach"]
    assert "/portal/" in letter.body


def test_send_due_checkins_not_before_due():
    pairing = engaged_pairing()

    created = send_due_checkins(pairing.checkin_due_on - datetime.timedelta(days=1))

    assert created == 0
    assert CheckIn.objects.count() == 0


def test_send_due_checkins_twice_sends_once():
    pairing = engaged_pairing()
    send_due_checkins(pairing.checkin_due_on)

    again = send_due_checkins(pairing.checkin_due_on + datetime.timedelta(days=3))

    assert again == 0
    assert CheckIn.objects.count() == 2
    assert Letter.objects.filter(kind=LetterKind.CHECKIN).count() == 2
    assert events("meetings.checkin.sent", checkin_of(pairing, "mentee")) == 1


def test_send_due_checkins_skips_withdrawn_enrolment():
    pairing = engaged_pairing()
    pairing.mentee_enrolment.status = EnrolmentStatus.WITHDRAWN
    pairing.mentee_enrolment.save()

    created = send_due_checkins(pairing.checkin_due_on)

    assert created == 1
    assert list(CheckIn.objects.values_list("enrolment__role", flat=True)) == ["mentor"]


def test_send_due_checkins_skips_pairing_no_longer_engaged():
    pairing = engaged_pairing()
    Pairing.objects.filter(pk=pairing.pk).update(status=PairingStatus.ENDED)

    created = send_due_checkins(pairing.checkin_due_on)

    assert created == 0
    assert Letter.objects.filter(kind=LetterKind.CHECKIN).count() == 0


def test_send_due_checkins_skips_pairing_completing_today():
    pairing = engaged_pairing(engaged_on=timezone.localdate() - datetime.timedelta(days=400))

    created = send_due_checkins(timezone.localdate())

    assert created == 0
    assert pairing.completion_due_on < timezone.localdate()


# send_due_checkin_reminders


def reminder_day(pairing: Pairing) -> datetime.date:
    delay = ProgrammeSettings.objects.get_current().checkin_reminder_after_days
    return pairing.checkin_due_on + datetime.timedelta(days=delay)


def test_send_due_checkin_reminders_after_delay():
    pairing = named_pairing()
    send_due_checkins(pairing.checkin_due_on)

    early = send_due_checkin_reminders(reminder_day(pairing) - datetime.timedelta(days=1))
    on_time = send_due_checkin_reminders(reminder_day(pairing))

    assert early == 0
    assert on_time == 2
    checkin = checkin_of(pairing, "mentor")
    letter = Letter.objects.get(idempotency_key=f"checkin-reminder:{checkin.pk}")
    assert letter.kind == LetterKind.CHECKIN_REMINDER
    assert letter.to_list == ["paolo@example.org"]
    assert len(answer_paths(letter)) == 3
    checkin.refresh_from_db()
    assert checkin.reminded_on == reminder_day(pairing)


def test_send_due_checkin_reminders_never_a_second():
    pairing = engaged_pairing()
    send_due_checkins(pairing.checkin_due_on)
    send_due_checkin_reminders(reminder_day(pairing))

    later = send_due_checkin_reminders(reminder_day(pairing) + datetime.timedelta(days=30))

    assert later == 0
    assert Letter.objects.filter(kind=LetterKind.CHECKIN_REMINDER).count() == 2


def test_send_due_checkin_reminders_skips_answered():
    pairing = engaged_pairing()
    send_due_checkins(pairing.checkin_due_on)
    answer_checkin(checkin=checkin_of(pairing, "mentee"), answer=CheckInAnswer.MET)

    reminded = send_due_checkin_reminders(reminder_day(pairing))

    assert reminded == 1
    assert checkin_of(pairing, "mentee").reminded_on is None


def test_send_due_checkin_reminders_skips_inactive():
    pairing = engaged_pairing()
    send_due_checkins(pairing.checkin_due_on)
    pairing.mentor_enrolment.status = EnrolmentStatus.WITHDRAWN
    pairing.mentor_enrolment.save()
    other = engaged_pairing()
    send_due_checkins(other.checkin_due_on)
    Pairing.objects.filter(pk=other.pk).update(status=PairingStatus.ENDED)

    reminded = send_due_checkin_reminders(reminder_day(pairing))

    assert reminded == 1
    assert Letter.objects.get(kind=LetterKind.CHECKIN_REMINDER).person == (
        pairing.mentee_enrolment.application.person
    )


# answer_checkin


@pytest.fixture
def checkin():
    pairing = engaged_pairing()
    send_due_checkins(pairing.checkin_due_on)
    return checkin_of(pairing, "mentee")


def test_answer_checkin_records_answer(checkin):
    answered = answer_checkin(checkin=checkin, answer=CheckInAnswer.IN_CONTACT)

    assert answered.answer == CheckInAnswer.IN_CONTACT
    assert answered.answered_at is not None
    assert events("meetings.checkin.answered", checkin) == 1
    assert events("meetings.checkin.cannot_reach", checkin) == 0


def test_answer_checkin_cannot_reach_opens_alert(checkin):
    answered = answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)

    assert answered.has_open_alert
    assert events("meetings.checkin.cannot_reach", checkin) == 1


def test_cannot_reach_emails_the_office_once(checkin):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)
    answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)

    alerts = Letter.objects.filter(kind=LetterKind.CHECKIN_ALERT)
    assert alerts.count() == 1
    alert = alerts.get()
    office = ProgrammeSettings.objects.get_current().office_email
    assert alert.to_list == [office]
    pairing = checkin.pairing
    names = {
        pairing.mentor_enrolment.application.person.full_name,
        pairing.mentee_enrolment.application.person.full_name,
    }
    assert all(name in alert.body for name in names)
    assert "/admin/meetings/checkin/" in alert.body


def test_answer_checkin_change_allowed(checkin):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)

    answered = answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)

    assert answered.answer == CheckInAnswer.MET
    assert not answered.has_open_alert
    assert events("meetings.checkin.answered", checkin) == 2


def test_answer_checkin_same_answer_changes_nothing(checkin):
    first = answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)

    second = answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)

    assert second.answered_at == first.answered_at
    assert events("meetings.checkin.answered", checkin) == 1


def test_answer_checkin_unknown_answer_rejected(checkin):
    with pytest.raises(CheckInError):
        answer_checkin(checkin=checkin, answer="maybe")

    checkin.refresh_from_db()
    assert checkin.answer == ""


def test_answer_checkin_after_resolution_rejected(checkin, resolver):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)
    resolve_checkin_alert(checkin=checkin, actor=resolver)

    with pytest.raises(CheckInError):
        answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)

    checkin.refresh_from_db()
    assert checkin.answer == CheckInAnswer.CANNOT_REACH


def test_answer_checkin_pairing_ended_rejected(checkin):
    Pairing.objects.filter(pk=checkin.pairing_id).update(status=PairingStatus.ENDED)

    with pytest.raises(CheckInError):
        answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)


# resolve_checkin_alert


@pytest.fixture
def resolver():
    """A staff user holding only the permission to resolve alerts."""
    user = User.objects.create_user("resolver", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="resolve_checkin_alert"))
    return User.objects.get(pk=user.pk)


def test_resolve_checkin_alert_closes_alert(checkin, resolver):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)

    resolved = resolve_checkin_alert(checkin=checkin, actor=resolver)

    assert resolved is True
    assert checkin.alert_resolved_by == resolver
    assert not checkin.has_open_alert
    assert events("meetings.checkin.alert_resolved", checkin) == 1


def test_resolve_checkin_alert_without_alert_changes_nothing(checkin, resolver):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.MET)

    resolved = resolve_checkin_alert(checkin=checkin, actor=resolver)

    assert resolved is False
    assert checkin.alert_resolved_at is None


def test_resolve_checkin_alert_needs_permission(checkin):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)
    core_member = create_staff_user("core-member", group=CORE_TEAM)

    with pytest.raises(CheckInError):
        resolve_checkin_alert(checkin=checkin, actor=core_member)

    checkin.refresh_from_db()
    assert checkin.has_open_alert


# Answer links


def test_answer_link_get_records_nothing(client, checkin):
    url = reverse(
        "year:checkin_answer", args=[make_answer_token(checkin, CheckInAnswer.CANNOT_REACH)]
    )

    response = client.get(url)

    assert response.status_code == 200
    assert "Confirm this answer" in response.content.decode()
    assert "I cannot reach my partner" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.answer == ""
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_answer_link_post_records_answer(client, checkin):
    url = reverse("year:checkin_answer", args=[make_answer_token(checkin, CheckInAnswer.MET)])

    response = client.post(url)

    assert response.status_code == 200
    assert "We have recorded your answer" in response.content.decode()
    assert reverse("meetings:home") in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.answer == CheckInAnswer.MET


def test_answer_link_post_needs_csrf_token(checkin):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url = reverse("year:checkin_answer", args=[make_answer_token(checkin, CheckInAnswer.MET)])

    response = client.post(url)

    assert response.status_code == 403
    checkin.refresh_from_db()
    assert checkin.answer == ""


def test_answer_link_from_letter_works(client, checkin):
    letter = Letter.objects.get(idempotency_key=f"checkin:{checkin.pk}")
    met_path = answer_paths(letter)[0]

    client.get(met_path)
    response = client.post(met_path)

    assert response.status_code == 200
    checkin.refresh_from_db()
    assert checkin.answer == CheckInAnswer.MET


@pytest.mark.parametrize("method", ["get", "post"])
def test_answer_link_tampered_token(client, checkin, method):
    token = make_answer_token(checkin, CheckInAnswer.MET)
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")

    response = getattr(client, method)(reverse("year:checkin_answer", args=[tampered]))

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.answer == ""


def test_answer_link_other_salt_rejected(client, checkin):
    token = signing.dumps({"c": checkin.pk, "a": CheckInAnswer.MET}, salt="another-purpose")

    response = client.post(reverse("year:checkin_answer", args=[token]))

    assert response.status_code == 400
    checkin.refresh_from_db()
    assert checkin.answer == ""


def test_answer_link_expired(client, checkin):
    import time_machine

    url = reverse("year:checkin_answer", args=[make_answer_token(checkin, CheckInAnswer.MET)])

    with time_machine.travel(timezone.now() + datetime.timedelta(days=61)):
        response = client.post(url)

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.answer == ""


def test_answer_link_after_resolution_says_so(client, checkin, resolver):
    answer_checkin(checkin=checkin, answer=CheckInAnswer.CANNOT_REACH)
    resolve_checkin_alert(checkin=checkin, actor=resolver)
    url = reverse("year:checkin_answer", args=[make_answer_token(checkin, CheckInAnswer.MET)])

    response = client.post(url)

    assert response.status_code == 409
    assert "already followed up" in response.content.decode()


# The office's check-in list


@pytest.fixture
def office():
    return create_staff_user("office", group=OFFICE)


def answered_checkins(count: int, answer: str) -> list[CheckIn]:
    checkins = []
    for _ in range(count):
        pairing = engaged_pairing()
        send_due_checkins(pairing.checkin_due_on)
        checkin = checkin_of(pairing, "mentee")
        checkins.append(answer_checkin(checkin=checkin, answer=answer))
    return checkins


def test_checkin_admin_lists_open_alerts_first(office):
    met = answered_checkins(1, CheckInAnswer.MET)[0]
    alert = answered_checkins(1, CheckInAnswer.CANNOT_REACH)[0]
    CheckIn.objects.filter(pk=alert.pk).update(
        sent_on=timezone.localdate() - datetime.timedelta(days=90)
    )
    client = signed_in_client(office)

    response = client.get(CHECKIN_ADMIN_URL)

    assert response.status_code == 200
    shown = [checkin.pk for checkin in response.context["cl"].result_list]
    assert shown[0] == alert.pk
    assert met.pk in shown
    page = response.content.decode()
    assert "Open: cannot reach partner" in page
    assert alert.enrolment.application.person.full_name in page
    assert reverse("admin:matching_pairing_change", args=[alert.pairing_id]) in page


def test_checkin_admin_closes_alert_of_completed_pairing(office):
    alert = answered_checkins(1, CheckInAnswer.CANNOT_REACH)[0]
    Pairing.objects.filter(pk=alert.pairing_id).update(status=PairingStatus.COMPLETED)
    client = signed_in_client(office)

    page = client.get(CHECKIN_ADMIN_URL).content.decode()

    assert "Closed: the pairing is completed" in page
    assert "Open: cannot reach partner" not in page


def test_checkin_admin_office_resolves_alert(office):
    alert = answered_checkins(1, CheckInAnswer.CANNOT_REACH)[0]
    client = signed_in_client(office)

    response = client.post(
        CHECKIN_ADMIN_URL,
        {"action": "mark_alert_resolved", "_selected_action": [alert.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 alert marked resolved." in response.content.decode()
    alert.refresh_from_db()
    assert alert.alert_resolved_by == office
    assert events("meetings.checkin.alert_resolved", alert) == 1


def test_checkin_admin_core_team_views_without_action():
    alert = answered_checkins(1, CheckInAnswer.CANNOT_REACH)[0]
    client = signed_in_client(create_staff_user("core-member", group=CORE_TEAM))

    listing = client.get(CHECKIN_ADMIN_URL)
    posted = client.post(
        CHECKIN_ADMIN_URL, {"action": "mark_alert_resolved", "_selected_action": [alert.pk]}
    )

    assert listing.status_code == 200
    assert "mark_alert_resolved" not in listing.content.decode()
    assert posted.status_code in (200, 302)
    alert.refresh_from_db()
    assert alert.has_open_alert


@pytest.mark.parametrize("count", [1, 3])
def test_checkin_admin_query_count_constant(office, django_assert_num_queries, count):
    answered_checkins(count, CheckInAnswer.CANNOT_REACH)
    # One row per pairing: the mentors' unanswered check-ins are left out.
    CheckIn.objects.filter(enrolment__role="mentor").delete()
    client = signed_in_client(office)

    # Session, user, TOTP device, permissions (two), the filter's total, the
    # page's count, and the check-ins with their pairing, enrolment,
    # application, person and resolver in one query.
    with django_assert_num_queries(8):
        response = client.get(CHECKIN_ADMIN_URL)

    assert len(response.context["cl"].result_list) == count
