from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from programme.core.admin_search import BlindIndexSearchMixin, ViewOnlyAdmin
from programme.core.text import count_of
from programme.letters import placeholders
from programme.letters.certificates import (
    certificate_filename,
    normalise_code,
    read_stored_pdf,
    schedule_render,
)
from programme.letters.models import (
    Certificate,
    FailedLetter,
    Letter,
    LetterBatch,
    LetterKind,
    LetterState,
    LetterTemplate,
)
from programme.letters.pdf import render_letter_pdf
from programme.letters.samples import sample_letter
from programme.letters.services import approve_batch, resend_letter


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 90})},
    }
    list_display = ("kind", "subject", "attach_pdf", "updated_at", "preview_links")
    fields = ("kind", "placeholder_list", "subject", "body", "attach_pdf", "preview_links")
    readonly_fields = ("kind", "placeholder_list", "preview_links")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        # Every kind has a template to edit from the start, with the default wording.
        for kind in LetterKind.values:
            LetterTemplate.objects.for_kind(kind)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        own = [
            path(
                "<int:template_id>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="letters_lettertemplate_preview",
            ),
            path(
                "<int:template_id>/preview.pdf",
                self.admin_site.admin_view(self.preview_pdf_view),
                name="letters_lettertemplate_preview_pdf",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="Placeholders this letter can use")
    def placeholder_list(self, template: LetterTemplate) -> str:
        return ", ".join(
            placeholders.as_placeholder(name) for name in template.allowed_placeholders
        )

    @admin.display(description="Preview")
    def preview_links(self, template: LetterTemplate) -> str:
        if template.pk is None:
            return "-"
        # A new tab, so unsaved edits on the template's page are not lost.
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">as e-mail</a> · '
            '<a href="{}" target="_blank" rel="noopener">as PDF</a> (saved version)',
            reverse("admin:letters_lettertemplate_preview", args=[template.pk]),
            reverse("admin:letters_lettertemplate_preview_pdf", args=[template.pk]),
        )

    def _template_or_403(self, request: HttpRequest, template_id: int) -> LetterTemplate:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(LetterTemplate, pk=template_id)

    def preview_view(self, request: HttpRequest, template_id: int) -> HttpResponse:
        template = self._template_or_403(request, template_id)
        letter = sample_letter(template)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Preview: {template}",
            "opts": self.opts,
            "template_obj": template,
            "letter": letter,
            "body_html": letter.body_html,
        }
        return TemplateResponse(request, "admin/letters/template_preview.html", context)

    def preview_pdf_view(self, request: HttpRequest, template_id: int) -> HttpResponse:
        template = self._template_or_403(request, template_id)
        letter = sample_letter(template)
        return pdf_response(render_letter_pdf(letter), f"preview-{template.kind}.pdf")


class LetterAdminBase(BlindIndexSearchMixin, ViewOnlyAdmin):
    person_path = "person__"
    list_display = ("id", "kind", "recipient", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("person__primary_email_index", "person__secondary_email_index")
    ordering = ("-created_at", "-id")
    actions = ["send_again"]
    fields = (
        "kind",
        "state",
        "recipient_name",
        "to_addresses",
        "cc_addresses",
        "subject",
        "body_text",
        "attach_pdf",
        "pdf_link",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "message_id",
        "batch",
        "resend_of",
        "created_at",
        "created_by",
    )
    readonly_fields = fields

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # The person page links here with ?person__id__exact=<id>.
        return lookup == "person__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_resend_permission(self, request) -> bool:
        return request.user.has_perm("letters.resend_letter")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:letter_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="{}_{}_pdf".format(*info),
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="Recipient")
    def recipient(self, letter: Letter) -> str:
        return letter.recipient_name or "-"

    @admin.display(description="Body")
    def body_text(self, letter: Letter) -> str:
        return format_html('<div class="letter-body">{}</div>', letter.body_html)

    @admin.display(description="PDF")
    def pdf_link(self, letter: Letter) -> str:
        if not letter.attach_pdf:
            return "No PDF for this kind of letter"
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_pdf", args=[letter.pk])
        return format_html('<a href="{}">Open the PDF</a>', url)

    def pdf_view(self, request: HttpRequest, letter_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = get_object_or_404(Letter, pk=letter_id)
        return pdf_response(render_letter_pdf(letter), letter.pdf_filename)

    @admin.action(description="Send the selected letters again", permissions=["resend"])
    def send_again(self, request: HttpRequest, queryset) -> None:
        sendable = queryset.filter(state__in=[LetterState.SENT, LetterState.FAILED])
        copies = [resend_letter(letter=letter, actor=request.user) for letter in sendable]
        skipped = queryset.count() - len(copies)
        self.message_user(
            request, f"{count_of(len(copies), 'letter')} will be sent again.", messages.SUCCESS
        )
        if skipped:
            self.message_user(
                request,
                f"Skipped {skipped}: only letters already sent or failed can be sent again.",
                messages.WARNING,
            )


@admin.register(Letter)
class LetterAdmin(LetterAdminBase):
    """Every letter, so staff can see what was sent to whom and send one again."""


@admin.register(FailedLetter)
class FailedLetterAdmin(LetterAdminBase):
    """Letters that failed after their last attempt, for the office to follow up."""

    list_display = ("id", "kind", "recipient", "attempts", "failure", "created_at")
    list_filter = ("kind",)

    # A proxy of Letter, so the letters view permission also grants the failed ones.
    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("letters.view_letter")

    def has_module_permission(self, request) -> bool:
        return request.user.has_perm("letters.view_letter")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=LetterState.FAILED)

    @admin.display(description="Last error")
    def failure(self, letter: Letter) -> str:
        return letter.last_error[:120]


@admin.register(LetterBatch)
class LetterBatchAdmin(ViewOnlyAdmin):
    list_display = ("description", "kinds", "letter_count", "created_at", "approved_at", "review")
    list_filter = ("kind",)
    ordering = ("-created_at", "-id")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                total=Count("letters"),
                drafts=Count("letters", filter=Q(letters__state=LetterState.DRAFT)),
                kind_count=Count("letters__kind", distinct=True),
            )
        )

    def get_urls(self):
        own = [
            path(
                "<int:batch_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="letters_letterbatch_review",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="Kind of letters", ordering="kind")
    def kinds(self, batch: LetterBatch) -> str:
        """Return the batch's kind and the number of other kinds among its letters, such as
        heads of department's letters beside enrolment letters."""
        others = max(batch.kind_count - 1, 0)
        if not others:
            return batch.get_kind_display()
        return f"{batch.get_kind_display()} and {count_of(others, 'other kind')}"

    @admin.display(description="Letters", ordering="total")
    def letter_count(self, batch: LetterBatch) -> int:
        return batch.total

    @admin.display(description="")
    def review(self, batch: LetterBatch) -> str:
        label = "Review and approve" if batch.approved_at is None else "Review"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:letters_letterbatch_review", args=[batch.pk]),
            label,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect("admin:letters_letterbatch_review", batch_id=object_id)

    def review_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        """Show the recipient count and a preview; approve on POST."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = get_object_or_404(self.get_queryset(request), pk=batch_id)
        can_approve = request.user.has_perm("letters.approve_letterbatch")

        if request.method == "POST":
            if not can_approve:
                raise PermissionDenied
            approved = approve_batch(batch=batch, actor=request.user)
            if approved:
                self.message_user(
                    request, f"{count_of(approved, 'letter')} approved and queued for sending."
                )
            else:
                self.message_user(
                    request,
                    "This batch was already approved; nothing more was sent.",
                    messages.INFO,
                )
            return redirect("admin:letters_letterbatch_review", batch_id=batch.pk)

        letters = batch.letters.order_by("pk")
        first = letters.first()
        context = {
            **self.admin_site.each_context(request),
            "title": f"Letters: {batch.description}",
            "opts": self.opts,
            "batch": batch,
            "first_letter": first,
            "recipients": [
                {
                    "name": letter.recipient_name or "-",
                    "kind": letter.get_kind_display(),
                    "to": ", ".join(letter.to_list + letter.cc_list),
                }
                for letter in letters
            ],
            "can_approve": can_approve and batch.approved_at is None and batch.drafts > 0,
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/letters/batch_review.html", context)


@admin.register(Certificate)
class CertificateAdmin(ViewOnlyAdmin):
    """Issued certificates, read-only, found by their code."""

    list_display = ("code", "holder_name", "role", "starts_on", "ends_on", "issued_at", "pdf_link")
    list_filter = ("role",)
    search_fields = ("code",)
    search_help_text = "Search by the certificate's code; case, spaces and dashes do not matter."
    ordering = ("-issued_at", "-id")
    fields = (
        "code",
        "holder_name",
        "role",
        "starts_on",
        "ends_on",
        "person",
        "source_key",
        "issued_at",
        "pdf_link",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        # The stored PDF stays in the database until someone opens it.
        return super().get_queryset(request).defer("pdf").select_related("person")

    def get_search_results(self, request, queryset, search_term: str):
        term = search_term.strip()
        if not term:
            return queryset, False
        code = normalise_code(term)
        if code is None:
            return queryset.none(), False
        return queryset.filter(code=code), False

    def get_urls(self):
        own = [
            path(
                "<int:certificate_id>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="letters_certificate_pdf",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description="PDF")
    def pdf_link(self, certificate: Certificate) -> str:
        url = reverse("admin:letters_certificate_pdf", args=[certificate.pk])
        return format_html('<a href="{}">Open the PDF</a>', url)

    def pdf_view(self, request: HttpRequest, certificate_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        get_object_or_404(Certificate.objects.defer("pdf"), pk=certificate_id)
        pdf = read_stored_pdf(certificate_id)
        if pdf is None:
            # The rendering task may have been lost; enqueueing it again is harmless.
            schedule_render(certificate_id)
            self.message_user(
                request,
                "The PDF of this certificate is still being prepared. Please try again in a "
                "minute.",
                messages.INFO,
            )
            return redirect("admin:letters_certificate_change", certificate_id)
        return pdf_response(pdf, certificate_filename(certificate_id))
