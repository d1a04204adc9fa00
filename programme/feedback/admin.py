"""Questionnaires for staff to edit, and each questionnaire's results page.

Responses and answers have no admin pages of their own: staff see them only
as the grouped results, where small groups are held back. The results page
needs ``feedback.view_response``.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from programme.feedback.models import Answer, Question, Questionnaire, QuestionnaireKind
from programme.feedback.selectors import (
    default_cycle,
    questionnaire_cycles,
    questionnaire_results,
)

RESULTS_PERMISSION = "feedback.view_response"


class QuestionInlineFormSet(BaseInlineFormSet):
    """Keep questions that have answers: they cannot be deleted or change kind."""

    def clean(self) -> None:
        # Checked before the inherited clean, which would raise the admin's own
        # message about protected objects, naming answers by their ids.
        self.check_answered_questions()
        super().clean()

    def check_answered_questions(self) -> None:
        saved = [form for form in self.forms if form.instance.pk is not None]
        answer_counts = dict(
            Answer.objects.filter(question__in=[form.instance.pk for form in saved])
            .values_list("question")
            .annotate(count=Count("pk"))
            .order_by()
        )

        undeletable = []
        for form in saved:
            count = answer_counts.get(form.instance.pk, 0)
            if not count:
                continue
            if self.can_delete and self._should_delete_form(form):
                undeletable.append(f"“{form.instance.text}” ({count} answers)")
            elif "kind" in form.changed_data:
                form.add_error(
                    "kind",
                    f"This question has {count} answers, so its kind cannot change. Add a new "
                    "question instead, and untick “shown to participants” on this one.",
                )
        if undeletable:
            raise ValidationError(
                "These questions have answers, so they cannot be deleted: "
                f"{', '.join(undeletable)}. Nothing was saved. To stop asking a question, "
                "untick “shown to participants” instead. Its answers stay in the results."
            )


class QuestionInline(admin.TabularInline):
    model = Question
    formset = QuestionInlineFormSet
    fields = ("position", "kind", "text", "required", "shown")
    ordering = ("position", "pk")
    extra = 0
    formfield_overrides = {
        # The admin's default text input is too narrow for a statement.
        models.CharField: {"widget": forms.TextInput(attrs={"size": 70})},
    }


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "question_count", "results_link")
    readonly_fields = ("kind", "updated_at")
    fields = ("kind", "title", "introduction", "updated_at")
    inlines = [QuestionInline]
    ordering = ("kind",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).annotate(number_of_questions=Count("questions"))

    @admin.display(description="Questions", ordering="number_of_questions")
    def question_count(self, questionnaire: Questionnaire) -> int:
        return questionnaire.number_of_questions

    @admin.display(description="Results")
    def results_link(self, questionnaire: Questionnaire) -> str:
        url = reverse("admin:feedback_questionnaire_results", args=[questionnaire.pk])
        return format_html('<a href="{}">Show results</a>', url)

    def get_list_display(self, request: HttpRequest):
        if request.user.has_perm(RESULTS_PERMISSION):
            return self.list_display
        return tuple(name for name in self.list_display if name != "results_link")

    # Permissions: one questionnaire per kind, created by a migration and never deleted.

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_view_permission(request, obj) or request.user.has_perm(
            RESULTS_PERMISSION
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Checked on every admin page for the sidebar, so the count runs only
        # for staff who may add at all.
        if not super().has_add_permission(request):
            return False
        return Questionnaire.objects.count() < len(QuestionnaireKind.values)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ("updated_at",)
        return self.readonly_fields

    def change_view(self, request: HttpRequest, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_see_results": request.user.has_perm(RESULTS_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # The results page.

    def get_urls(self):
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        results = path(
            "<path:object_id>/results/",
            self.admin_site.admin_view(self.results_view),
            name=f"{info}_results",
        )
        # Before the inherited patterns, whose "<path:object_id>/" would match first.
        return [results, *super().get_urls()]

    def results_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm(RESULTS_PERMISSION):
            raise PermissionDenied
        questionnaire = self.get_object(request, unquote(object_id))
        if questionnaire is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

        cycles = questionnaire_cycles(questionnaire)
        requested = request.GET.get("cycle", "")
        cycle = requested if requested in cycles else default_cycle(questionnaire, cycles)
        if requested and requested != cycle:
            self.message_user(
                request,
                f"There are no invitations or responses for cycle {requested!r}, "
                f"so cycle {cycle} is shown.",
                messages.WARNING,
            )
        results = questionnaire_results(questionnaire, cycle=cycle) if cycle else None

        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Results: {questionnaire.title}",
            "questionnaire": questionnaire,
            "cycles": cycles,
            "cycle": cycle,
            "results": results,
        }
        return TemplateResponse(request, "admin/feedback/results.html", context)
