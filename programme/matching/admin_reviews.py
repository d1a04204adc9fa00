"""Staff pages for consensus and ending: proposals to review, a proposal page, the end page.

The pages are added to the pairing admin by subclassing whichever admin is
registered for Pairing and registering the subclass in its place, as the
vetting pages do for applications. Reviewing needs
``matching.review_pairing`` (the core team); ending needs
``matching.end_pairing`` (the office). Anyone else gets 403.
"""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from programme.applications.models import Application, Role
from programme.core.admin_search import ViewOnlyAdmin
from programme.core.text import count_of
from programme.matching.models import (
    MAX_NOTE_LENGTH,
    EndReason,
    MenteeOutcome,
    Pairing,
    PairingReview,
    PairingStatus,
    Verdict,
)
from programme.matching.rules import check_hard_rules
from programme.matching.selectors import pair_description
from programme.matching.services import (
    MatchingError,
    approval_count,
    approvals_needed,
    end_pairing,
    member_name,
    review_pairing,
)
from programme.matching.templatetags.matching_labels import language_names

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "matching.review_pairing"
END_PERMISSION = "matching.end_pairing"
PEOPLE = (
    "mentee_enrolment__application__person",
    "mentor_enrolment__application__person",
    "proposed_by",
)


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label="Comment (optional)",
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything the other members should know. The pair never sees it.",
    )


class ObjectForm(forms.Form):
    reason = forms.CharField(
        label="Why you object",
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. The proposal closes and the mentee goes back to the queue.",
        error_messages={"required": "Write why you object, so the proposer knows what to change."},
    )


class EndPairingForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why the pairing ends", choices=EndReason.choices, widget=forms.RadioSelect
    )
    mentee_outcome = forms.ChoiceField(
        label="What happens to the mentee",
        choices=MenteeOutcome.choices,
        widget=forms.RadioSelect,
        help_text="A mentee back in the queue keeps their original application date and "
        "priority. Withdrawing also withdraws their application and ends their enrolment.",
    )
    note = forms.CharField(
        label="Note for the record",
        required=False,
        max_length=MAX_NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the pairing for the office. The letters do not quote it.",
    )


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def person_rows(application: Application) -> list[tuple[str, str]]:
    """Return what the core team weighs when matching, as (question, answer) rows.

    E-mail addresses are left out, because the core team may not see contact details.
    """
    person = application.person
    rows = [
        ("Name", person.full_name),
        ("Country of practice", person.country.name),
        ("Institution", person.institution),
        ("Languages", language_names(person.languages) or "None given"),
        ("Areas", ", ".join(application.areas) or "None ticked"),
        ("Other skills", application.area_other_details or "None given"),
    ]
    if application.role == Role.MENTOR:
        rows += [
            ("Years of independent practice", str(application.practice_years or "Not given")),
            ("Interested in research", yes_no(application.interest_research)),
            ("Interested in teaching", yes_no(application.interest_teaching)),
            ("Has mentored before", yes_no(application.prior_mentoring)),
            ("Mentees at a time", str(application.capacity or "Not given")),
        ]
    else:
        rows += [
            (
                "Applied on",
                date_format(timezone.localtime(application.submitted_at).date(), "j F Y"),
            ),
            ("Career stage", application.get_career_stage_display() or "Not given"),
            ("Lacks mentoring locally (matched first)", yes_no(application.lacks_local_mentoring)),
            (
                "Needs a mentor from the same country",
                yes_no(application.needs_same_country_for_language),
            ),
            ("Wants an academic mentor", yes_no(application.wants_academic_mentor)),
            ("Specific needs", application.specific_needs or "None given"),
        ]
    return rows


class PairingReviewPagesMixin:
    """Add the proposal list, the proposal page and the end page to a pairing admin."""

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        pages = [
            path(
                "reviews/",
                self.admin_site.admin_view(self.proposals_view),
                name=f"{info}_reviews",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=f"{info}_review",
            ),
            path(
                "<path:object_id>/end/",
                self.admin_site.admin_view(self.end_view),
                name=f"{info}_end",
            ),
        ]
        # Before the inherited patterns, whose "<path:object_id>/" would match first.
        return [*pages, *super().get_urls()]

    def get_list_display(self, request: HttpRequest):
        list_display = super().get_list_display(request)
        # Callers that only inspect the columns may pass None and get the base columns.
        if request is not None and request.user.has_perm(REVIEW_PERMISSION):
            list_display = (*list_display, "review_link")
        if request is not None and request.user.has_perm(END_PERMISSION):
            list_display = (*list_display, "end_link")
        return list_display

    @admin.display(description="Review")
    def review_link(self, pairing: Pairing) -> str:
        if pairing.status != PairingStatus.PROPOSED:
            return "-"
        url = reverse("admin:matching_pairing_review", args=[pairing.pk])
        return format_html('<a href="{}">Review pairing {}</a>', url, pairing.pk)

    @admin.display(description="End")
    def end_link(self, pairing: Pairing) -> str:
        if pairing.status != PairingStatus.ENGAGED:
            return "-"
        url = reverse("admin:matching_pairing_end", args=[pairing.pk])
        return format_html('<a href="{}">End pairing {}</a>', url, pairing.pk)

    def get_pairing(self, object_id: str) -> Pairing:
        object_id = unquote(object_id)
        pairing = None
        if object_id.isdigit():
            pairing = Pairing.objects.select_related(*PEOPLE).filter(pk=object_id).first()
        if pairing is None:
            raise Http404(f"No pairing with number {object_id!r}.")
        return pairing

    def page_context(self, request: HttpRequest, title: str) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.opts, "title": title}

    # The list of proposals awaiting the signed-in member.

    def proposals_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        reviewed_by_user = PairingReview.objects.filter(
            pairing=OuterRef("pk"), reviewer=request.user
        )
        proposals = (
            Pairing.objects.filter(status=PairingStatus.PROPOSED)
            .exclude(proposed_by=request.user)
            .exclude(Exists(reviewed_by_user))
            .select_related(*PEOPLE)
            .annotate(
                approvals=Count("reviews", filter=Q(reviews__verdict=Verdict.APPROVE)),
            )
            .order_by("proposed_at", "pk")
        )
        context = {
            **self.page_context(request, "Proposals awaiting your review"),
            "proposals": proposals,
        }
        return TemplateResponse(request, "admin/matching/review_list.html", context)

    # The proposal page.

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(REVIEW_PERMISSION):
            raise PermissionDenied
        pairing = self.get_pairing(object_id)

        approve_form = ApproveForm(prefix="approve")
        object_form = ObjectForm(prefix="object")
        if request.method == "POST" and "_approve" in request.POST:
            approve_form = ApproveForm(request.POST, prefix="approve")
            if approve_form.is_valid():
                self.apply_review(
                    request, pairing, Verdict.APPROVE, approve_form.cleaned_data["comment"]
                )
                return HttpResponseRedirect(request.path)
        elif request.method == "POST" and "_object" in request.POST:
            object_form = ObjectForm(request.POST, prefix="object")
            if object_form.is_valid():
                self.apply_review(
                    request, pairing, Verdict.OBJECT, object_form.cleaned_data["reason"]
                )
                return HttpResponseRedirect(request.path)

        mentee = pairing.mentee_enrolment
        mentor = pairing.mentor_enrolment
        reviews = list(pairing.reviews.select_related("reviewer"))
        can_review = (
            pairing.status == PairingStatus.PROPOSED
            and pairing.proposed_by_id != request.user.pk
            and all(review.reviewer_id != request.user.pk for review in reviews)
        )
        context = {
            **self.page_context(request, f"Pairing {pairing.pk}: {pairing.get_status_display()}"),
            "pairing": pairing,
            "mentee_rows": person_rows(mentee.application),
            "mentor_rows": person_rows(mentor.application),
            "mentor_places_taken": Pairing.objects.filter(
                mentor_enrolment=mentor, status=PairingStatus.ENGAGED
            ).count(),
            "rule_results": check_hard_rules(mentee=mentee, mentor=mentor, pairing=pairing),
            "proposer_name": member_name(pairing.proposed_by),
            "reviews": [(review, member_name(review.reviewer)) for review in reviews],
            "approvals": approval_count(pairing),
            "approvals_needed": approvals_needed(proposer=pairing.proposed_by),
            "is_proposer": pairing.proposed_by_id == request.user.pk,
            "can_review": can_review,
            "approve_form": approve_form,
            "object_form": object_form,
        }
        return TemplateResponse(request, "admin/matching/review_page.html", context)

    def apply_review(
        self, request: HttpRequest, pairing: Pairing, verdict: str, reason: str
    ) -> None:
        try:
            reviewed = review_pairing(
                pairing=pairing, reviewer=request.user, verdict=verdict, reason=reason
            )
        except MatchingError as error:
            logger.info(
                "Review of pairing %s by user %s rejected: %s", pairing.pk, request.user.pk, error
            )
            self.message_user(request, str(error), messages.ERROR)
            return

        pair = pair_description(reviewed)
        if reviewed.status == PairingStatus.ENGAGED:
            message = (
                f"You approved the pairing of {pair}, and the core team now agrees: the "
                "pairing is engaged, and the engagement letter will be sent to both people now."
            )
        elif reviewed.status == PairingStatus.OBJECTED:
            message = (
                f"You objected to the pairing of {pair}. The proposal is closed, and the "
                "mentee is back in the matching queue."
            )
        else:
            still_needed = approvals_needed(proposer=reviewed.proposed_by) - approval_count(
                reviewed
            )
            message = (
                f"You approved the pairing of {pair}. It needs "
                f"{count_of(still_needed, 'more approval')} before it is engaged."
            )
        self.message_user(request, message, messages.SUCCESS)

    # Ending a pairing.

    def end_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(END_PERMISSION):
            raise PermissionDenied
        pairing = self.get_pairing(object_id)

        form = EndPairingForm()
        if request.method == "POST":
            form = EndPairingForm(request.POST)
            if form.is_valid():
                self.apply_end(request, pairing, form.cleaned_data)
                return HttpResponseRedirect(request.path)

        context = {
            **self.page_context(request, f"End pairing {pairing.pk}"),
            "pairing": pairing,
            "mentee_name": pairing.mentee_enrolment.application.person.full_name,
            "mentor_name": pairing.mentor_enrolment.application.person.full_name,
            "can_end": pairing.status == PairingStatus.ENGAGED,
            "form": form,
        }
        return TemplateResponse(request, "admin/matching/end_pairing.html", context)

    def apply_end(self, request: HttpRequest, pairing: Pairing, data: dict) -> None:
        try:
            ended = end_pairing(
                pairing=pairing,
                actor=request.user,
                reason=data["reason"],
                note=data["note"],
                mentee_outcome=data["mentee_outcome"],
            )
        except MatchingError as error:
            logger.info(
                "Ending pairing %s by user %s rejected: %s", pairing.pk, request.user.pk, error
            )
            self.message_user(request, str(error), messages.ERROR)
            return

        if ended.mentee_outcome == MenteeOutcome.REQUEUED:
            outcome = "The mentee is back in the matching queue with their original place."
        else:
            outcome = "The mentee's application is withdrawn and their enrolment has ended."
        self.message_user(
            request,
            f"The pairing of {pair_description(ended)} has ended and the mentor's place is "
            f"free. {outcome} A letter will be sent to each of the two people now.",
            messages.SUCCESS,
        )


def register_review_pages(site: admin.AdminSite = admin.site) -> None:
    """Register the pairing admin again with the review and end pages added."""
    if site.is_registered(Pairing):
        base = type(site.get_model_admin(Pairing))
        if issubclass(base, PairingReviewPagesMixin):
            return
        site.unregister(Pairing)
    else:
        # Used only when no pairing admin was registered before this module is imported.
        base = ViewOnlyAdmin
    admin_class = type("PairingAdminWithReviews", (PairingReviewPagesMixin, base), {})
    site.register(Pairing, admin_class)


register_review_pages()
