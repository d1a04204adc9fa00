"""Pages of a pairing's year: check-in answers, certificate downloads, the public check."""

import datetime

from django import forms
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from programme.applications.views import client_address
from programme.core.services import register_hit
from programme.letters.certificates import (
    certificate_filename,
    find_certificate,
    normalise_code,
    read_stored_pdf,
    schedule_render,
)
from programme.letters.models import Certificate
from programme.meetings.access import participant_required
from programme.meetings.checkins import CheckInError, answer_checkin, read_answer_token
from programme.meetings.models import CheckIn, CheckInAnswer

# Look-ups one client address may make on the public certificate check per
# hour. A person checks a handful of certificates; guessing codes needs millions.
VERIFY_LIMIT_PER_HOUR = 30
VERIFY_WINDOW = datetime.timedelta(hours=1)


@never_cache
@require_http_methods(["GET", "POST"])
def checkin_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Show the chosen answer with a confirm button on GET; record it on POST.

    Mail scanners open links to check them, so opening a link records nothing.
    """
    try:
        checkin, answer = read_answer_token(token)
    except signing.SignatureExpired:
        return render(request, "meetings/year/checkin_invalid.html", {"expired": True}, status=400)
    except (signing.BadSignature, CheckIn.DoesNotExist):
        return render(request, "meetings/year/checkin_invalid.html", status=400)

    context = {
        "checkin": checkin,
        "answer": answer,
        "answer_label": CheckInAnswer(answer).label,
        "previous_label": CheckInAnswer(checkin.answer).label if checkin.answer else "",
        "cannot_reach": answer == CheckInAnswer.CANNOT_REACH,
    }
    if request.method == "POST":
        try:
            answer_checkin(checkin=checkin, answer=answer)
        except CheckInError as error:
            context["error"] = str(error)
            return render(request, "meetings/year/checkin_answer.html", context, status=409)
        return render(request, "meetings/year/checkin_thanks.html", context)
    return render(request, "meetings/year/checkin_answer.html", context)


@never_cache
@require_http_methods(["GET"])
@participant_required
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    """Send the participant's own certificate, or a page saying it is still being prepared."""
    certificate = (
        Certificate.objects.filter(pk=certificate_id, person=request.participant)
        .defer("pdf")
        .first()
    )
    if certificate is None:
        raise Http404("No such certificate.")

    pdf = read_stored_pdf(certificate.pk)
    if pdf is None:
        # The rendering task may have been lost; enqueueing it again is harmless.
        schedule_render(certificate.pk)
        return render(
            request, "meetings/year/certificate_preparing.html", {"certificate": certificate}
        )

    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{certificate_filename(certificate.pk)}"'
    )
    return response


class VerifyForm(forms.Form):
    code = forms.CharField(
        label="Certificate code",
        max_length=40,
        help_text="Twelve letters and digits, as printed on the certificate, such as "
        "ABCD-EFGH-JK23.",
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "This is not a certificate code. A code has twelve letters and digits, "
                "such as ABCD-EFGH-JK23; please check it against the certificate."
            )
        return code


@never_cache
@require_http_methods(["GET"])
def verify(request: HttpRequest) -> HttpResponse:
    """Check a certificate by its code and show only the holder's name, role and dates."""
    if "code" not in request.GET:
        return render(request, "meetings/year/verify.html", {"form": VerifyForm()})

    form = VerifyForm(request.GET)
    within_limit = register_hit(
        scope="certificate-verify",
        raw_key=client_address(request),
        limit=VERIFY_LIMIT_PER_HOUR,
        window=VERIFY_WINDOW,
    )
    if not within_limit:
        form.is_valid()
        form.add_error(
            None,
            "Too many certificates have been checked from your network in the last hour. "
            "Please try again later.",
        )
        return render(request, "meetings/year/verify.html", {"form": form}, status=429)
    if not form.is_valid():
        return render(request, "meetings/year/verify.html", {"form": form}, status=400)

    certificate = find_certificate(form.cleaned_data["code"])
    context = {"form": form, "certificate": certificate, "searched": form.cleaned_data["code"]}
    return render(request, "meetings/year/verify.html", context)
