import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from programme.applications.forms import (
    ApplicationForm,
    MenteeApplicationForm,
    MentorApplicationForm,
)
from programme.applications.models import Role
from programme.applications.services import (
    DuplicateApplicationError,
    InvalidConfirmationError,
    confirm_address,
    masked_address,
    read_confirmation_token,
    submit_application,
)
from programme.core.models import ProgrammeSettings
from programme.core.services import register_hit

FORMS = {Role.MENTEE: MenteeApplicationForm, Role.MENTOR: MentorApplicationForm}
RATE_LIMIT_WINDOW = datetime.timedelta(hours=1)


def client_address(request: HttpRequest) -> str:
    # NOTE: behind a reverse proxy REMOTE_ADDR is the proxy's address, so every
    # applicant would share one limit; read the proxy's client header there.
    return request.META.get("REMOTE_ADDR", "")


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, role: str) -> HttpResponse:
    form_class = FORMS[role]
    status = 200
    if request.method == "POST":
        form = form_class(request.POST)
        within_limit = register_hit(
            scope="apply",
            raw_key=client_address(request),
            limit=settings.APPLICATION_RATE_LIMIT_PER_HOUR,
            window=RATE_LIMIT_WINDOW,
        )
        if not within_limit:
            form.is_valid()
            form.add_error(
                None,
                "Too many applications have been sent from your network in the last hour. "
                "Your answers are still here: please try again later.",
            )
            status = 429
        elif form.is_valid():
            result = _submit(form)
            if result is not None:
                return redirect("applications:thanks", role=role)
        if status == 200:
            status = 400
    else:
        form = form_class()
    return render(
        request,
        "applications/apply.html",
        {"form": form, "role": role, "role_label": Role(role).label.lower()},
        status=status,
    )


def _submit(form: ApplicationForm):
    try:
        return submit_application(
            role=form.role,
            person_fields=form.for_person(),
            application_fields=form.for_application(),
            submission_token=form.cleaned_data["submission_token"],
        )
    except DuplicateApplicationError:
        office = ProgrammeSettings.objects.get_current().office_email
        form.add_error(
            None,
            f"We already have an open application as a {Role(form.role).label.lower()} "
            f"for one of these e-mail addresses, so we have not stored a second one. "
            f"To change your application, please write to {office}.",
        )
        return None


@require_http_methods(["GET"])
def thanks(request: HttpRequest, role: str) -> HttpResponse:
    return render(
        request, "applications/thanks.html", {"role": role, "role_label": Role(role).label.lower()}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Show a button on GET and confirm on POST, so link scanners confirm nothing."""
    try:
        if request.method == "POST":
            person, slot = confirm_address(token=token)
            return render(
                request, "applications/confirmed.html", {"address": masked_address(person, slot)}
            )
        person, slot = read_confirmation_token(token)
    except InvalidConfirmationError:
        return render(request, "applications/confirm_invalid.html", status=400)
    context = {
        "address": masked_address(person, slot),
        "already_confirmed": getattr(person, f"{slot}_email_confirmed_at") is not None,
    }
    return render(request, "applications/confirm.html", context)
