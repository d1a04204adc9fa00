from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from programme.applications.models import Application, ApplicationStatus
from programme.applications.services import read_withdrawal_token
from programme.vetting.forms import ApplicantWithdrawalForm, RenewalForm
from programme.vetting.models import Enrolment
from programme.vetting.selectors import showcase_mentors
from programme.vetting.services import (
    VettingError,
    read_renewal_token,
    renew_mentor_term,
    withdraw_application,
)


@sensitive_post_parameters("reason")
@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Explain withdrawing on GET and withdraw on POST, so opening the link changes nothing."""
    try:
        application = read_withdrawal_token(token)
    except (signing.BadSignature, Application.DoesNotExist):
        return render(request, "vetting/withdraw_invalid.html", status=400)

    status = 200
    if request.method == "POST":
        form = ApplicantWithdrawalForm(request.POST)
        if form.is_valid():
            try:
                withdraw_application(
                    application=application,
                    reason=form.cleaned_data["reason"],
                    by_applicant=True,
                )
            except VettingError:
                return render(
                    request, "vetting/withdraw.html", {"application": application, "closed": True}
                )
            return render(request, "vetting/withdrawn.html", {"application": application})
        status = 400
    else:
        form = ApplicantWithdrawalForm()

    context = {
        "application": application,
        "form": form,
        "already_withdrawn": application.status == ApplicationStatus.WITHDRAWN,
        "closed": application.status == ApplicationStatus.NOT_ELIGIBLE,
        "enrolled": application.status == ApplicationStatus.ELIGIBLE,
    }
    return render(request, "vetting/withdraw.html", context, status=status)


@require_http_methods(["GET"])
def mentors(request: HttpRequest) -> HttpResponse:
    return render(request, "vetting/mentors.html", {"mentors": showcase_mentors()})


@never_cache
@require_http_methods(["GET", "POST"])
def renew(request: HttpRequest, token: str) -> HttpResponse:
    """Offer a new term on GET and renew it on POST, so opening the link changes nothing."""
    try:
        enrolment, term_end = read_renewal_token(token)
    except (signing.BadSignature, Enrolment.DoesNotExist):
        return render(request, "vetting/renew_invalid.html", status=400)

    context = {"enrolment": enrolment, "term_end": term_end}
    if request.method == "POST":
        form = RenewalForm(request.POST)
        if form.is_valid():
            try:
                renew_mentor_term(
                    enrolment=enrolment,
                    term_end=term_end,
                    capacity=form.cleaned_data["capacity"],
                )
            except VettingError as error:
                return render(
                    request, "vetting/renew.html", {**context, "problem": str(error)}, status=409
                )
            return render(request, "vetting/renewed.html", {**context, "enrolment": enrolment})
        return render(request, "vetting/renew.html", {**context, "form": form}, status=400)

    form = RenewalForm(initial={"capacity": enrolment.application.capacity})
    return render(request, "vetting/renew.html", {**context, "form": form})
