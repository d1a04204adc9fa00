"""Core-team pages for matching: the queue, suggestions for one mentee, the plan and the figures.

The pages hang off the admin of the ``WaitingMentee`` proxy, whose list page
is the queue, so the admin index shows a "Matching queue" entry to the core
team. The queue, suggestions and plan need ``matching.propose_pairing`` (the
core team); the office and everyone else get 403 there. The figures need
``matching.view_pairing``, which both roles hold. The pairing list itself is
read-only; the review and end pages are added to it by ``admin_reviews``.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property

from programme.applications.models import AREA_LABELS, Role
from programme.core.admin_search import ViewOnlyAdmin
from programme.core.languages import LANGUAGE_NAMES
from programme.core.text import count_of
from programme.matching.models import (
    ACTIVE_STATUSES,
    MAX_NOTE_LENGTH,
    Pairing,
    PairingReview,
    Verdict,
    WaitingMentee,
)
from programme.matching.plan import PlanRow, plan_matches, propose_plan
from programme.matching.rules import country_name
from programme.matching.selectors import (
    MENTEE_FIELDS,
    cached_figures_by_month,
    engagement_times,
    figures_by_month,
    pair_description,
    waiting_applications,
    waiting_count,
)
from programme.matching.services import MatchingError, propose_pairing
from programme.matching.suggestions import Suggestion, rank_mentors
from programme.vetting.models import Enrolment, EnrolmentStatus

PROPOSE_PERMISSION = "matching.propose_pairing"
VIEW_PAIRING_PERMISSION = "matching.view_pairing"
QUEUE_PAGE_SIZE = 25
VIEW_PAIRING_PERMISSION = "matching.view_pairing"
ID_SLOT = "enrolment-id"
SUGGESTIONS_PAGE_SIZE = 25
# The plan covers the head of the queue: the core team proposes these, then plans again.
PLAN_SIZE = 100

# The mentor columns the suggestions and plan pages show.
MENTOR_FIELDS = (
    "id",
    "role",
    "ends_on",
    "application__id",
    "application__practice_years",
    "application__capacity",
    "application__interest_research",
    "application__person__id",
    "application__person__given_name",
    "application__person__family_name",
    "application__person__country",
)
PAIRING_LIST_FIELDS = (
    "id",
    "status",
    "proposed_at",
    "engaged_on",
    "mentee_enrolment__id",
    "mentee_enrolment__application__id",
    "mentee_enrolment__application__person__id",
    "mentee_enrolment__application__person__given_name",
    "mentee_enrolment__application__person__family_name",
    "mentor_enrolment__id",
    "mentor_enrolment__application__id",
    "mentor_enrolment__application__person__id",
    "mentor_enrolment__application__person__given_name",
    "mentor_enrolment__application__person__family_name",
)


def language_names(codes: list[str]) -> str:
    return ", ".join(sorted(LANGUAGE_NAMES.get(code, code) for code in codes or ()))


def mentors_by_id(ids: list[int]) -> dict[int, Enrolment]:
    """Load the shown mentors' names and details in one query."""
    mentors = Enrolment.objects.filter(pk__in=ids).select_related("application__person")
    return mentors.only(*MENTOR_FIELDS).in_bulk()


@dataclass(frozen=True)
class QueueRow:
    """One waiting mentee as the queue shows them, with every value ready to print."""

    position: int
    enrolment_id: int
    name: str
    days_waiting: int
    country: str
    languages: str
    areas: str
    other_details: str
    needs: str
    lacks_local_mentoring: bool
    same_country_for_language: bool
    wants_academic_mentor: bool

    suggestions_url: str

    @classmethod
    def build(cls, *, position: int, values: dict, today, url_pattern: str) -> "QueueRow":
        """Build a row from the values ``waiting_applications`` reads."""
        return cls(
            position=position,
            enrolment_id=values["enrolment__id"],
            name=f"{values['person__given_name']} {values['person__family_name']}",
            days_waiting=(today - timezone.localdate(values["submitted_at"])).days,
            country=country_name(values["person__country"]),
            languages=language_names(values["person__languages"]),
            areas=", ".join(label for field, label in AREA_LABELS.items() if values[field]),
            other_details=values["area_other_details"],
            needs=values["specific_needs"],
            lacks_local_mentoring=values["lacks_local_mentoring"],
            same_country_for_language=values["needs_same_country_for_language"],
            wants_academic_mentor=values["wants_academic_mentor"],
            suggestions_url=url_pattern.replace(ID_SLOT, str(values["enrolment__id"])),
        )


class KnownCountPaginator(Paginator):
    """A paginator given its count, for lists counted more cheaply than by COUNT(*)."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @cached_property
    def count(self) -> int:
        return self.known_count


@dataclass
class SuggestionRow:
    position: int
    suggestion: Suggestion
    mentor: Enrolment
    objections: list[PairingReview]


def objections_by_mentor(mentee: Enrolment) -> dict[int, list[PairingReview]]:
    """Objections to earlier proposals of this mentee, by the proposed mentor's enrolment id."""
    reviews = (
        PairingReview.objects.filter(pairing__mentee_enrolment=mentee, verdict=Verdict.OBJECT)
        .select_related("pairing", "reviewer")
        .order_by("reviewed_at", "pk")
    )
    found: dict[int, list[PairingReview]] = {}
    for review in reviews:
        found.setdefault(review.pairing.mentor_enrolment_id, []).append(review)
    return found


class ProposeForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(required=False, max_length=MAX_NOTE_LENGTH)
    override_reason = forms.CharField(required=False, max_length=MAX_NOTE_LENGTH)


class PairingAdmin(ViewOnlyAdmin):
    """The list of pairings, read-only, filtered by status, at a constant number of queries."""

    list_display = ("id", "mentee", "mentor", "status", "proposed_at", "engaged_on")
    list_filter = ("status",)
    list_per_page = 100
    ordering = ("-proposed_at", "-id")

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "mentee_enrolment__application__person", "mentor_enrolment__application__person"
            )
            .only(*PAIRING_LIST_FIELDS)
        )

    @admin.display(description="Mentee")
    def mentee(self, pairing: Pairing) -> str:
        return pairing.mentee_enrolment.application.person.full_name

    @admin.display(description="Mentor")
    def mentor(self, pairing: Pairing) -> str:
        return pairing.mentor_enrolment.application.person.full_name


class MatchingQueueAdmin(admin.ModelAdmin):
    """The queue of waiting mentees, with suggestions, the plan and the engagement figures."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        # The office sees the queue, to check a mentee's place in it. Only the
        # core team opens suggestions and proposes.
        return request.user.has_perm(PROPOSE_PERMISSION) or request.user.has_perm(
            VIEW_PAIRING_PERMISSION
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        pages = [
            path("plan/", self.admin_site.admin_view(self.plan_view), name=f"{info}_plan"),
            path(
                "figures/", self.admin_site.admin_view(self.figures_view), name=f"{info}_figures"
            ),
            path(
                "<path:object_id>/suggestions/",
                self.admin_site.admin_view(self.suggestions_view),
                name=f"{info}_suggestions",
            ),
        ]
        # Before the inherited patterns, whose "<path:object_id>/" would match first.
        return [*pages, *super().get_urls()]

    def context(self, request: HttpRequest, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            **extra,
        }

    def require_propose_permission(self, request: HttpRequest) -> None:
        if not request.user.has_perm(PROPOSE_PERMISSION):
            raise PermissionDenied

    def queue_url(self) -> str:
        return reverse("admin:matching_waitingmentee_changelist")

    # The queue.

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        paginator = KnownCountPaginator(
            waiting_applications(), QUEUE_PAGE_SIZE, count=waiting_count()
        )
        page = paginator.get_page(request.GET.get("page"))
        today = timezone.localdate()
        first = page.start_index()
        # Reversed once; each row puts its enrolment id in the slot.
        url_pattern = reverse("admin:matching_waitingmentee_suggestions", args=[ID_SLOT])
        rows = [
            QueueRow.build(
                position=first + offset, values=values, today=today, url_pattern=url_pattern
            )
            for offset, values in enumerate(page.object_list)
        ]
        # The page has no sidebar, so the list of every app the sidebar shows is not built.
        context = {
            **self.lean_context(request),
            "opts": self.opts,
            "title": "Matching queue",
            "rows": rows,
            "page": page,
            "waiting_count": paginator.count,
            "figures": cached_figures_by_month(),
            "can_propose": request.user.has_perm(PROPOSE_PERMISSION),
        }
        return TemplateResponse(request, "admin/matching/queue.html", context)

    def lean_context(self, request: HttpRequest) -> dict:
        """Return the admin's context for every page, without the sidebar's app list."""
        site = self.admin_site
        return {
            "site_title": site.site_title,
            "site_header": site.site_header,
            "site_url": site.site_url,
            "has_permission": site.has_permission(request),
            "available_apps": [],
            "is_popup": False,
            "is_nav_sidebar_enabled": False,
        }

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        self.require_propose_permission(request)
        return HttpResponseRedirect(
            reverse("admin:matching_waitingmentee_suggestions", args=[unquote(object_id)])
        )

    # Suggestions for one mentee.

    def waiting_mentee(self, request: HttpRequest, object_id: str) -> Enrolment | None:
        """Return the waiting mentee enrolment, or None after telling the user why not."""
        object_id = unquote(object_id)
        mentee = None
        if object_id.isdigit():
            active = Pairing.objects.filter(
                mentee_enrolment=OuterRef("pk"), status__in=ACTIVE_STATUSES
            )
            mentee = (
                Enrolment.objects.filter(pk=object_id, role=Role.MENTEE)
                .select_related("application__person")
                .only(
                    *MENTEE_FIELDS,
                )
                .annotate(has_active_pairing=Exists(active))
                .first()
            )
        if mentee is None:
            message = f"No mentee enrolment with number {object_id!r} was found."
        elif mentee.has_active_pairing:
            message = (
                f"Mentee enrolment {mentee.pk} already has a proposed or engaged pairing, so "
                "it is not in the queue. See the pairings list."
            )
        elif mentee.status != EnrolmentStatus.ACTIVE:
            message = f"Mentee enrolment {mentee.pk} is {mentee.get_status_display().lower()}."
        else:
            return mentee
        self.message_user(request, message, messages.WARNING)
        return None

    def suggestions_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        self.require_propose_permission(request)
        mentee = self.waiting_mentee(request, object_id)
        if mentee is None:
            return HttpResponseRedirect(self.queue_url())

        error = ""
        posted = ProposeForm()
        if request.method == "POST":
            posted = ProposeForm(request.POST)
            response, error = self.propose(request, mentee, posted)
            if response is not None:
                return response

        suggestions = rank_mentors(mentee)
        paginator = Paginator(suggestions, SUGGESTIONS_PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        mentors = mentors_by_id([suggestion.mentor_id for suggestion in page.object_list])
        objections = objections_by_mentor(mentee)
        rows = [
            SuggestionRow(
                position=page.start_index() + offset,
                suggestion=suggestion,
                mentor=mentors[suggestion.mentor_id],
                objections=objections.get(suggestion.mentor_id, []),
            )
            for offset, suggestion in enumerate(page.object_list)
        ]
        context = self.context(
            request,
            f"Suggested mentors for {mentee.application.person.full_name}",
            mentee=mentee,
            languages=language_names(mentee.application.person.languages),
            rows=rows,
            page=page,
            eligible_count=sum(1 for suggestion in suggestions if suggestion.eligible),
            mentor_count=len(suggestions),
            error=error,
            posted=posted,
            max_note_length=MAX_NOTE_LENGTH,
        )
        return TemplateResponse(request, "admin/matching/suggestions.html", context)

    def propose(
        self, request: HttpRequest, mentee: Enrolment, form: ProposeForm
    ) -> tuple[HttpResponse | None, str]:
        """Propose the posted mentor; return a redirect, or None and the reason it failed."""
        if not form.is_valid():
            errors = " ".join(error for errors in form.errors.values() for error in errors)
            return None, f"The proposal was not saved: {errors}"
        mentor = Enrolment.objects.filter(pk=form.cleaned_data["mentor"], role=Role.MENTOR).first()
        if mentor is None:
            return None, "That mentor enrolment no longer exists. Choose another mentor."
        try:
            pairing = propose_pairing(
                mentee=mentee,
                mentor=mentor,
                proposer=request.user,
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except MatchingError as error:
            return None, str(error)

        self.message_user(
            request,
            f"The pairing of {pair_description(pairing)} is "
            f"{pairing.get_status_display().lower()}.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.queue_url()), ""

    # The plan.

    def plan_view(self, request: HttpRequest) -> HttpResponse:
        self.require_propose_permission(request)
        if request.method == "POST":
            return self.propose_planned(request)

        rows = plan_matches(limit=PLAN_SIZE)
        planned = [row.suggestion.mentor_id for row in rows if row.suggestion is not None]
        mentors = mentors_by_id(planned)
        context = self.context(
            request,
            "Matching plan",
            rows=[
                (position, row, plan_mentor(row, mentors))
                for position, row in enumerate(rows, start=1)
            ],
            planned_count=len(planned),
            plan_size=PLAN_SIZE,
        )
        return TemplateResponse(request, "admin/matching/plan.html", context)

    def propose_planned(self, request: HttpRequest) -> HttpResponse:
        choices = []
        for value in request.POST.getlist("pair"):
            mentee_id, _, mentor_id = value.partition("-")
            if mentee_id.isdigit() and mentor_id.isdigit():
                choices.append((int(mentee_id), int(mentor_id)))
        if not choices:
            self.message_user(
                request, "No rows were ticked, so nothing was proposed.", messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:matching_waitingmentee_plan"))

        outcome = propose_plan(choices=choices, proposer=request.user)
        if outcome.proposed:
            self.message_user(
                request,
                f"{count_of(len(outcome.proposed), 'pairing')} proposed. The other "
                "core-team members can now review them.",
                messages.SUCCESS,
            )
        for failure in outcome.failed:
            self.message_user(
                request,
                f"Mentee enrolment {failure.mentee_id} with mentor enrolment "
                f"{failure.mentor_id} was not proposed: {failure.reason}",
                messages.ERROR,
            )
        return HttpResponseRedirect(self.queue_url())

    # The figures.

    def figures_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm(VIEW_PAIRING_PERMISSION):
            raise PermissionDenied
        times = engagement_times()
        context = self.context(
            request,
            "Days from application to engagement",
            times=times,
            figures=figures_by_month(times),
        )
        return TemplateResponse(request, "admin/matching/figures.html", context)


def plan_mentor(row: PlanRow, mentors: dict[int, Enrolment]) -> Enrolment | None:
    if row.suggestion is None:
        return None
    return mentors.get(row.suggestion.mentor_id)


if admin.site.is_registered(Pairing):
    admin.site.unregister(Pairing)
admin.site.register(Pairing, PairingAdmin)
admin.site.register(WaitingMentee, MatchingQueueAdmin)

# Imported after PairingAdmin is registered: the module registers a subclass
# of it with the review and end pages added.
from programme.matching.admin_reviews import register_review_pages  # noqa: E402

register_review_pages()
