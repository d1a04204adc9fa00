"""The public response page. The signed link in the invitation letter is the key."""

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from programme.feedback.forms import ResponseForm
from programme.feedback.models import Invitation
from programme.feedback.services import (
    AlreadyAnsweredError,
    FeedbackError,
    partner_name,
    read_invitation_token,
    submit_response,
)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """Show the questionnaire on GET and store the anonymous response on POST."""
    try:
        invitation = read_invitation_token(token)
    except (signing.BadSignature, Invitation.DoesNotExist):
        return render(request, "feedback/invalid_link.html", status=400)

    questionnaire = invitation.questionnaire
    if invitation.responded:
        return render(request, "feedback/answered.html", {"questionnaire": questionnaire})

    questions = list(questionnaire.questions.filter(shown=True))
    status = 200
    error = ""
    if request.method == "POST":
        form = ResponseForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                submit_response(invitation=invitation, answers=form.answers())
            except AlreadyAnsweredError:
                return render(request, "feedback/answered.html", {"questionnaire": questionnaire})
            except FeedbackError:
                # The questions changed while the form was open.
                error = (
                    "The questionnaire changed while you were filling it in. Please check "
                    "your answers below and send them again."
                )
            else:
                return render(request, "feedback/thanks.html", {"questionnaire": questionnaire})
        status = 400
    else:
        form = ResponseForm(questions=questions)

    context = {
        "questionnaire": questionnaire,
        "partner": partner_name(invitation) if invitation.pairing_id else "",
        "form": form,
        "error": error,
    }
    return render(request, "feedback/respond.html", context, status=status)
