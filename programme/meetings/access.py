"""Participant sign-in and sign-out for a request, with an idle timeout.

Participants have no account and no password. A used sign-in link puts their
Person's id in the session. Every request that finds it refreshes the time of
last activity, and a session idle for longer than the programme's setting is
signed out. So is a person who may no longer sign in, for example because the
office withdrew them, from their next request on.
"""

import functools
import time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from programme.core.models import Person, ProgrammeSettings
from programme.meetings.selectors import people_who_may_sign_in

SESSION_PERSON = "participant_person_id"
SESSION_LAST_SEEN = "participant_last_seen"
SESSION_TIMED_OUT = "participant_timed_out"
TIMED_OUT_MESSAGE = (
    "You were signed out because nothing happened for a while. "
    "Ask for a new sign-in link to go on."
)


def sign_in_participant(request: HttpRequest, person: Person) -> None:
    # A new session key, so a key planted before sign-in is worth nothing after it.
    request.session.cycle_key()
    request.session[SESSION_PERSON] = person.pk
    request.session[SESSION_LAST_SEEN] = int(time.time())


def sign_out_participant(request: HttpRequest) -> None:
    request.session.pop(SESSION_PERSON, None)
    request.session.pop(SESSION_LAST_SEEN, None)
    request.session.cycle_key()


def current_participant(request: HttpRequest) -> Person | None:
    """Return the signed-in participant, or None when no one is signed in or the session idled."""
    person_id = request.session.get(SESSION_PERSON)
    if person_id is None:
        return None
    idle_seconds = ProgrammeSettings.objects.get_current().participant_idle_minutes * 60
    last_seen = request.session.get(SESSION_LAST_SEEN, 0)
    now = int(time.time())
    if now - last_seen > idle_seconds:
        sign_out_participant(request)
        request.session[SESSION_TIMED_OUT] = True
        return None
    person = people_who_may_sign_in().filter(pk=person_id).first()
    if person is None:
        sign_out_participant(request)
        return None
    request.session[SESSION_LAST_SEEN] = now
    return person


def participant_required(view):
    """Run the view with ``request.participant`` set, or send the visitor to sign in."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        person = current_participant(request)
        if person is None:
            if request.session.pop(SESSION_TIMED_OUT, False):
                messages.info(request, TIMED_OUT_MESSAGE)
            return redirect("meetings:sign_in")
        request.participant = person
        return view(request, *args, **kwargs)

    return wrapper
