"""The participant portal: sign-in by link, pairings, the meeting log, withdrawal, my data."""

import datetime
import json
import logging

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from programme.applications.views import client_address
from programme.core.crypto import normalise_email
from programme.core.models import ProgrammeSettings
from programme.core.services import register_hit
from programme.matching.models import PairingStatus
from programme.meetings import selectors, services
from programme.meetings.access import (
    SESSION_TIMED_OUT,
    TIMED_OUT_MESSAGE,
    current_participant,
    participant_required,
    sign_in_participant,
    sign_out_participant,
)
from programme.meetings.forms import MeetingForm, SignInForm, WithdrawalForm
from programme.meetings.models import Meeting
from programme.meetings.selectors import PairingOverview

logger = logging.getLogger(__name__)

# Sign-in link requests allowed per hour, per e-mail address and per client
# address. A participant needs one or two; the limits stop a flood of letters.
SIGN_IN_LIMIT_PER_ADDRESS = 5
SIGN_IN_LIMIT_PER_CLIENT = 20
SIGN_IN_LIMIT_WINDOW = datetime.timedelta(hours=1)

# A token from secrets.token_urlsafe(32) has 43 characters, so a longer one is invalid.
MAX_TOKEN_LENGTH = 100


# Signing in and out.


@sensitive_post_parameters("email")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Ask for an address and send a link. Every address gets the same response."""
    if request.method == "GET":
        if current_participant(request) is not None:
            return redirect("meetings:home")
        if request.session.pop(SESSION_TIMED_OUT, False):
            messages.info(request, TIMED_OUT_MESSAGE)
        return render(request, "meetings/sign_in.html", {"form": SignInForm()})

    form = SignInForm(request.POST)
    client_within_limit = register_hit(
        scope="portal-sign-in-client",
        raw_key=client_address(request),
        limit=SIGN_IN_LIMIT_PER_CLIENT,
        window=SIGN_IN_LIMIT_WINDOW,
    )
    if not form.is_valid():
        return render(request, "meetings/sign_in.html", {"form": form}, status=400)

    address = form.cleaned_data["email"]
    address_within_limit = client_within_limit and register_hit(
        scope="portal-sign-in-address",
        raw_key=normalise_email(address),
        limit=SIGN_IN_LIMIT_PER_ADDRESS,
        window=SIGN_IN_LIMIT_WINDOW,
    )
    if not address_within_limit:
        form.add_error(
            None,
            "Many sign-in links have been asked for in the last hour, so we have not sent "
            "another. Please use the link in your most recent e-mail, or try again in an hour.",
        )
        return render(request, "meetings/sign_in.html", {"form": form}, status=429)

    services.request_sign_in_link(address=address)
    return redirect("meetings:sign_in_sent")


@require_http_methods(["GET"])
def sign_in_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/sign_in_sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def use_link(request: HttpRequest, token: str) -> HttpResponse:
    """Show a button on GET and sign in on POST, so a mail scanner cannot use the link up."""
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise services.SignInLinkError("unknown")
        if request.method == "POST":
            person = services.use_sign_in_link(token=token)
            sign_in_participant(request, person)
            return redirect("meetings:home")
        services.check_sign_in_link(token)
    except services.SignInLinkError as error:
        logger.info("Sign-in link rejected on %s: %s", request.method, error.reason)
        context = {"reason": error.reason, "form": SignInForm()}
        return render(request, "meetings/link_invalid.html", context, status=400)
    return render(request, "meetings/use_link.html")


@require_http_methods(["POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    sign_out_participant(request)
    messages.success(request, "You are signed out. Thank you for taking part.")
    return redirect("meetings:sign_in")


# The portal.


@never_cache
@require_http_methods(["GET"])
@participant_required
def home(request: HttpRequest) -> HttpResponse:
    programme = ProgrammeSettings.objects.get_current()
    overview = selectors.portal_overview(
        request.participant, minimum_meetings=programme.minimum_meetings
    )
    return render(request, "meetings/home.html", {"overview": overview, "programme": programme})


@never_cache
@require_http_methods(["GET"])
@participant_required
def pairing_detail(request: HttpRequest, pairing_id: int) -> HttpResponse:
    item = _overview(request, pairing_id)
    return render(request, "meetings/pairing.html", {"item": item})


def _overview(request: HttpRequest, pairing_id: int) -> PairingOverview:
    pairing = selectors.get_pairing_for(request.participant, pairing_id)
    minimum = ProgrammeSettings.objects.get_current().minimum_meetings
    return selectors.overview_of(pairing, request.participant, minimum_meetings=minimum)


def _read_only(request: HttpRequest, pairing) -> HttpResponse | None:
    """Send the visitor back with a message when the pairing's log can no longer change."""
    if pairing.status == PairingStatus.ENGAGED:
        return None
    messages.info(
        request,
        f"This pairing is {pairing.get_status_display().lower()}, so its meetings can no "
        "longer be changed.",
    )
    return redirect("meetings:pairing", pairing_id=pairing.pk)


def _pairing_url(pairing_id: int) -> str:
    return reverse("meetings:home") + f"#pairing-{pairing_id}"


@sensitive_post_parameters("topic", "private_notes")
@never_cache
@require_http_methods(["GET", "POST"])
@participant_required
def meeting_add(request: HttpRequest, pairing_id: int) -> HttpResponse:
    item = _overview(request, pairing_id)
    read_only_response = _read_only(request, item.pairing)
    if read_only_response is not None:
        return read_only_response

    status = 200
    form_options = {"pairing": item.pairing, "submit_label": "Save the meeting"}
    if request.method == "POST":
        form = MeetingForm(request.POST, **form_options)
        if form.is_valid():
            try:
                services.record_meeting(
                    pairing=item.pairing, recorded_by=item.role, details=form.details()
                )
            except services.MeetingError as error:
                logger.info("Meeting not recorded for pairing %s: %s", item.pairing.pk, error)
                form.add_error(None, str(error))
            else:
                messages.success(request, "The meeting is saved in your log.")
                return redirect(_pairing_url(item.pairing.pk))
        status = 400
    else:
        form = MeetingForm(initial={"proposed_by": item.role}, **form_options)
    context = {"form": form, "item": item, "title": "Log a meeting"}
    return render(request, "meetings/meeting_form.html", context, status=status)


@sensitive_post_parameters("topic", "private_notes")
@never_cache
@require_http_methods(["GET", "POST"])
@participant_required
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request.participant, meeting_id)
    item = _overview(request, meeting.pairing_id)
    read_only_response = _read_only(request, item.pairing)
    if read_only_response is not None:
        return read_only_response

    status = 200
    form_options = {"pairing": item.pairing, "submit_label": "Save the changes"}
    if request.method == "POST":
        form = MeetingForm(request.POST, **form_options)
        if form.is_valid():
            try:
                services.change_meeting(meeting=meeting, details=form.details())
            except services.MeetingError as error:
                logger.info("Meeting %s not changed: %s", meeting.pk, error)
                form.add_error(None, str(error))
            else:
                messages.success(request, "The meeting is updated.")
                return redirect(_pairing_url(item.pairing.pk))
        status = 400
    else:
        form = MeetingForm(initial=MeetingForm.initial_from(meeting), **form_options)
    context = {"form": form, "item": item, "meeting": meeting, "title": "Change a meeting"}
    return render(request, "meetings/meeting_form.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
@participant_required
def meeting_delete(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting: Meeting = selectors.get_meeting_for(request.participant, meeting_id)
    read_only_response = _read_only(request, meeting.pairing)
    if read_only_response is not None:
        return read_only_response

    if request.method == "POST":
        try:
            services.delete_meeting(meeting=meeting)
        except services.MeetingError as error:
            logger.info("Meeting %s not deleted: %s", meeting.pk, error)
            messages.error(request, str(error))
        else:
            messages.success(request, "The meeting is deleted from your log.")
        return redirect(_pairing_url(meeting.pairing_id))
    return render(request, "meetings/meeting_delete.html", {"meeting": meeting})


# Withdrawal and personal data.


@sensitive_post_parameters("reason")
@never_cache
@require_http_methods(["GET", "POST"])
@participant_required
def withdraw(request: HttpRequest) -> HttpResponse:
    """Explain what withdrawing does on GET, and withdraw and sign out on POST."""
    person = request.participant
    enrolments = selectors.withdrawable_enrolments(person)
    # A proposed pairing is the core team's business until it is engaged, so
    # only engaged partners are named.
    partners = [
        selectors.partner_in(pairing, person)
        for enrolment in enrolments
        for pairing in selectors.active_pairings_of(enrolment)
        if pairing.status == PairingStatus.ENGAGED
    ]

    status = 200
    if request.method == "POST" and enrolments:
        form = WithdrawalForm(request.POST)
        if form.is_valid():
            try:
                services.withdraw_participant(person=person, reason=form.cleaned_data["reason"])
            except services.WithdrawalError as error:
                logger.info("Withdrawal of person %s not made: %s", person.pk, error)
                form.add_error(None, str(error))
            else:
                sign_out_participant(request)
                return render(request, "meetings/withdrawn.html", {"had_partner": bool(partners)})
        status = 400
    else:
        form = WithdrawalForm()

    context = {"form": form, "enrolments": enrolments, "partners": partners}
    return render(request, "meetings/withdraw.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
@participant_required
def my_data(request: HttpRequest) -> HttpResponse:
    sections = selectors.personal_data(request.participant)
    return render(request, "meetings/my_data.html", {"sections": sections})


@never_cache
@require_http_methods(["GET"])
@participant_required
def my_data_json(request: HttpRequest) -> HttpResponse:
    sections = services.export_personal_data(person=request.participant)
    data = {section.key: section.as_json() for section in sections}
    data["person"] = data["person"][0]
    body = json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response
