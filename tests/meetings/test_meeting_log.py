import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from programme.core.models import AuditEvent
from programme.matching.models import PairingStatus
from programme.meetings.models import Meeting, Theme
from programme.meetings.services import (
    MeetingDetails,
    MeetingError,
    delete_meeting,
    record_meeting,
)
from tests.meetings.conftest import ENGAGED_DAYS_AGO, log_meeting

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def meeting_values(**changes) -> dict:
    return {
        "held_on": days_ago(3).isoformat(),
        "minutes": "40",
        "proposed_by": "mentee",
        "theme": Theme.RESEARCH,
        "topic": "Writing my first grant application",
        "private_notes": "Send the draft by Friday.",
    } | changes


def add_url(pairing) -> str:
    return reverse("meetings:meeting_add", args=[pairing.pk])


def edit_url(meeting) -> str:
    return reverse("meetings:meeting_edit", args=[meeting.pk])


def delete_url(meeting) -> str:
    return reverse("meetings:meeting_delete", args=[meeting.pk])


def complete(pairing) -> None:
    pairing.status = PairingStatus.COMPLETED
    pairing.mentor_place = None
    pairing.save()


def test_add_form_shows(mentee_client, pairing):
    response = mentee_client.get(add_url(pairing))

    assert response.status_code == 200
    assert "Log a meeting" in response.content.decode()


def test_add_meeting_saves(mentee_client, pairing):
    response = mentee_client.post(add_url(pairing), meeting_values())

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("meetings:home") + f"#pairing-{pairing.pk}"
    assert meeting.pairing == pairing
    assert meeting.held_on == days_ago(3)
    assert meeting.minutes == 40
    assert meeting.proposed_by == "mentee"
    assert meeting.theme == Theme.RESEARCH
    assert meeting.topic == "Writing my first grant application"
    assert meeting.private_notes == "Send the draft by Friday."
    assert meeting.recorded_by == "mentee"


def test_add_meeting_by_mentor_records_role(mentor_client, pairing):
    mentor_client.post(add_url(pairing), meeting_values())

    assert Meeting.objects.get().recorded_by == "mentor"


def test_add_meeting_writes_audit_event(mentee_client, pairing):
    mentee_client.post(add_url(pairing), meeting_values())

    event = AuditEvent.objects.get(action="meetings.meeting.recorded")
    assert event.object_type == "meetings.meeting"
    assert event.object_id == str(Meeting.objects.get().pk)
    assert event.actor is None


def test_add_meeting_ignores_extra_fields(mentee_client, pairing, other_pairing):
    mentee_client.post(
        add_url(pairing),
        meeting_values(pairing=other_pairing.pk, recorded_by="mentor", id="999"),
    )

    meeting = Meeting.objects.get()
    assert meeting.pairing == pairing
    assert meeting.recorded_by == "mentee"
    assert meeting.pk != 999


def test_notes_encrypted_in_raw_row(mentee_client, pairing):
    mentee_client.post(add_url(pairing), meeting_values())

    with connection.cursor() as cursor:
        cursor.execute("SELECT topic, private_notes FROM meetings_meeting")
        raw_topic, raw_notes = cursor.fetchone()
    assert "grant" not in raw_topic
    assert "Friday" not in raw_notes
    assert raw_notes.startswith("gAAAA")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()}, "future"),
        ({"held_on": days_ago(ENGAGED_DAYS_AGO + 1).isoformat()}, "before your pairing began"),
        ({"held_on": "2027-13-45"}, "year-month-day"),
        ({"minutes": "4"}, "from 5 to 600"),
        ({"minutes": "601"}, "from 5 to 600"),
        ({"minutes": "forty"}, "from 5 to 600"),
        ({"proposed_by": "office"}, "Select a valid choice"),
        ({"theme": ""}, "Please choose the theme"),
        ({"held_on": ""}, "Please give the date of the meeting."),
        ({"topic": "Line one\r\nline two"}, "one line"),
        ({"topic": "Hidden\u202econtrol"}, "invisible control character"),
        ({"topic": "x" * 201}, "at most 200 characters"),
        ({"private_notes": "x" * 5001}, "at most 5000 characters"),
        ({"private_notes": "Null\x00byte"}, "Null characters are not allowed"),
    ],
)
def test_add_meeting_bad_input_kept(mentee_client, pairing, changes, message):
    values = meeting_values(topic="Typed topic stays") | changes

    response = mentee_client.post(add_url(pairing), values)

    content = response.content.decode()
    assert response.status_code == 400
    assert message in content
    assert Meeting.objects.count() == 0
    if "topic" not in changes:
        assert 'value="Typed topic stays"' in content
    if "private_notes" not in changes:
        assert "Send the draft by Friday." in content


def test_add_meeting_on_engagement_day_allowed(mentee_client, pairing):
    response = mentee_client.post(
        add_url(pairing), meeting_values(held_on=pairing.engaged_on.isoformat())
    )

    assert response.status_code == 302
    assert Meeting.objects.count() == 1


def test_add_meeting_other_pairing_404(mentee_client, other_pairing):
    response = mentee_client.post(add_url(other_pairing), meeting_values())

    assert response.status_code == 404
    assert Meeting.objects.count() == 0


def test_edit_meeting_by_partner(mentor_client, pairing):
    meeting = log_meeting(pairing, recorded_by="mentee")

    response = mentor_client.post(edit_url(meeting), meeting_values(minutes="90"))

    meeting.refresh_from_db()
    assert response.status_code == 302
    assert meeting.minutes == 90
    assert meeting.topic == "Writing my first grant application"
    assert meeting.recorded_by == "mentee"
    assert AuditEvent.objects.filter(action="meetings.meeting.changed").count() == 1


def test_edit_form_prefilled(mentee_client, pairing):
    meeting = log_meeting(pairing, topic="Prefilled topic")

    content = mentee_client.get(edit_url(meeting)).content.decode()

    assert 'value="Prefilled topic"' in content
    assert f'value="{meeting.held_on.isoformat()}"' in content


def test_edit_meeting_bad_input_changes_nothing(mentee_client, pairing):
    meeting = log_meeting(pairing, minutes=45)

    response = mentee_client.post(edit_url(meeting), meeting_values(minutes="0"))

    meeting.refresh_from_db()
    assert response.status_code == 400
    assert meeting.minutes == 45
    assert 'value="0"' in response.content.decode()


def test_edit_other_pairs_meeting_404(mentee_client, other_pairing):
    meeting = log_meeting(other_pairing)

    on_get = mentee_client.get(edit_url(meeting))
    on_post = mentee_client.post(edit_url(meeting), meeting_values())

    meeting.refresh_from_db()
    assert on_get.status_code == 404
    assert on_post.status_code == 404
    assert meeting.topic == "Planning a fellowship year"


def test_delete_asks_first(mentee_client, pairing):
    meeting = log_meeting(pairing)

    response = mentee_client.get(delete_url(meeting))

    assert response.status_code == 200
    assert "Delete this meeting?" in response.content.decode()
    assert Meeting.objects.count() == 1


def test_delete_meeting_removes(mentee_client, pairing):
    meeting = log_meeting(pairing)
    meeting_id = meeting.pk

    response = mentee_client.post(delete_url(meeting))

    event = AuditEvent.objects.get(action="meetings.meeting.deleted")
    assert response.status_code == 302
    assert Meeting.objects.count() == 0
    assert event.object_id == str(meeting_id)


def test_delete_other_pairs_meeting_404(mentee_client, other_pairing):
    meeting = log_meeting(other_pairing)

    response = mentee_client.post(delete_url(meeting))

    assert response.status_code == 404
    assert Meeting.objects.count() == 1


def test_completed_pairing_read_only(mentee_client, pairing):
    meeting = log_meeting(pairing)
    complete(pairing)

    added = mentee_client.post(add_url(pairing), meeting_values())
    edited = mentee_client.post(edit_url(meeting), meeting_values(minutes="90"))
    deleted = mentee_client.post(delete_url(meeting))
    pairing_page = mentee_client.get(reverse("meetings:pairing", args=[pairing.pk]))

    meeting.refresh_from_db()
    assert added.status_code == 302
    assert edited.status_code == 302
    assert deleted.status_code == 302
    assert Meeting.objects.count() == 1
    assert meeting.minutes == 45
    assert "can no longer be changed" in pairing_page.content.decode()
    assert "Planning a fellowship year" in pairing_page.content.decode()


def test_record_meeting_rejects_ended_pairing(pairing):
    pairing.status = PairingStatus.ENDED
    pairing.mentor_place = None
    pairing.save()
    details = MeetingDetails(
        held_on=days_ago(1),
        minutes=30,
        proposed_by="mentor",
        theme=Theme.CLINICAL,
        topic="Head and neck MDT",
        private_notes="",
    )

    with pytest.raises(MeetingError, match="ended early"):
        record_meeting(pairing=pairing, recorded_by="mentor", details=details)


def test_record_meeting_rejects_future_date(pairing):
    details = MeetingDetails(
        held_on=timezone.localdate() + datetime.timedelta(days=2),
        minutes=30,
        proposed_by="mentor",
        theme=Theme.CLINICAL,
        topic="Head and neck MDT",
        private_notes="",
    )

    with pytest.raises(MeetingError, match="future"):
        record_meeting(pairing=pairing, recorded_by="mentor", details=details)
    assert Meeting.objects.count() == 0


def test_delete_meeting_rejects_completed_pairing(pairing):
    meeting = log_meeting(pairing)
    complete(pairing)

    with pytest.raises(MeetingError):
        delete_meeting(meeting=meeting)
    assert Meeting.objects.count() == 1
