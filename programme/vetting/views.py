from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from programme.applications.models import Application, ApplicationStatus
from programme.applications.services import read_withdrawal_token
from programme.vetting.forms import ApplicantWithdrawalForm
from programme.vetting.selectors import showcase_mentors
from programme.vetting.services import VettingError, withdraw_application


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
