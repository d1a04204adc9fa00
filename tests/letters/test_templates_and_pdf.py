import pypdfium2
import pytest
from django.core.exceptions import ValidationError

from programme.letters import placeholders
from programme.letters.models import PLACEHOLDERS, Letter, LetterKind, LetterTemplate
from programme.letters.pdf import render_letter_pdf, render_pdf
from programme.letters.samples import sample_letter
from programme.letters.services import queue_letter

NAMES_IN_SCRIPTS = {
    "latin": "Zoë Łukasiewicz-Ørsted",
    "greek": "Αικατερίνη Παπαδοπούλου",
    "cyrillic": "Алексей Иванов",
    "arabic": "فاطمة الزهراء",
    "chinese": "王秀英",
}


def pdf_text(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[index].get_textpage().get_text_range() for index in range(len(document))]
    return " ".join(" ".join(pages).split())


def test_find_problems_accepts_known_placeholders():
    problems = placeholders.find_problems(
        "Dear {{ recipient_name }},{{role}}", frozenset({"recipient_name", "role"})
    )

    assert problems == []


@pytest.mark.parametrize(
    "text",
    [
        "Dear {{ recipient_name }",
        "Dear {{ recipient name }}",
        "{% if x %}",
        "{{ }}",
        "Dear }}",
        "{# note #}",
    ],
)
def test_find_problems_rejects_malformed(text):
    problems = placeholders.find_problems(text, frozenset({"recipient_name"}))

    assert len(problems) == 1
    assert "malformed" in problems[0]


def test_find_problems_names_unknown_placeholder():
    problems = placeholders.find_problems("{{ password }}", frozenset({"recipient_name"}))

    assert problems == [
        "Unknown placeholder {{ password }}. This letter can use: {{ recipient_name }}."
    ]


@pytest.mark.django_db
def test_template_clean_rejects_placeholder_of_other_kind():
    template = LetterTemplate.objects.for_kind(LetterKind.TIPS_BULLETIN)
    template.body = "Your reason: {{ reason }}"

    with pytest.raises(ValidationError) as raised:
        template.full_clean()

    assert "body" in raised.value.message_dict


@pytest.mark.django_db
def test_template_clean_rejects_multiline_subject():
    template = LetterTemplate.objects.for_kind(LetterKind.TIPS_BULLETIN)
    template.subject = "Tips\nBcc: someone@example.com"

    with pytest.raises(ValidationError) as raised:
        template.full_clean()

    assert "subject" in raised.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LetterKind.values)
def test_default_template_is_valid(kind):
    template = LetterTemplate.objects.for_kind(kind)

    template.full_clean()

    assert placeholders.names_in(template.body) <= PLACEHOLDERS[kind]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LetterKind.values)
def test_sample_letter_fills_every_placeholder(kind):
    letter = sample_letter(LetterTemplate.objects.for_kind(kind))

    assert "{{" not in letter.subject + letter.body
    assert "}}" not in letter.subject + letter.body
    assert "\n" not in letter.subject


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LetterKind.values)
def test_every_kind_renders_html_and_pdf(kind):
    letter = sample_letter(LetterTemplate.objects.for_kind(kind))

    html = letter.body_html
    text = pdf_text(render_letter_pdf(letter))

    assert "<p>" in html
    assert "<p>" not in text
    assert letter.subject in text
    assert "Example Society of Head and Neck Radiology" in text
    assert "Zoë Παπαδοπούλου" in text


@pytest.mark.django_db
@pytest.mark.parametrize("script", NAMES_IN_SCRIPTS)
def test_pdf_prints_name_in_script(script):
    name = NAMES_IN_SCRIPTS[script]
    letter = queue_letter(
        kind=LetterKind.NOT_ELIGIBLE,
        idempotency_key=f"test:{script}",
        to=["someone@example.org"],
        values={
            "recipient_name": name,
            "role": "mentor",
            "reason": "Sample reason.",
            "eligibility_link": "http://testserver/eligibility/",
        },
    )

    text = pdf_text(render_letter_pdf(letter))

    # Once on the address line and once in the greeting.
    assert text.count(name) == 2


@pytest.mark.django_db
def test_pdf_escapes_markup_in_body():
    letter = Letter(
        kind=LetterKind.TIPS_BULLETIN,
        subject="Tips",
        body='Dear <b>Bold</b> <img src="http://example.com/x.png">,\n\nText.',
    )

    text = pdf_text(render_letter_pdf(letter))

    assert "<b>Bold</b>" in text


def test_pdf_fetcher_refuses_network_and_files(caplog):
    html = (
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">'
        '<img src="file:///etc/passwd"><img src="https://example.com/a.png"><p>Body</p>'
    )

    text = pdf_text(render_pdf(html))

    assert "Body" in text
    assert "root:" not in text


def test_pdf_fetcher_serves_static_stylesheet():
    from programme.letters.pdf import StaticFilesOnlyFetcher

    response = StaticFilesOnlyFetcher().fetch("static:css/letter_pdf.css")

    assert response.status == 200


@pytest.mark.parametrize(
    "url",
    ["static:../settings.py", "static:missing.css", "file:///etc/passwd", "https://example.com/"],
)
def test_pdf_fetcher_rejects(url):
    from programme.letters.pdf import StaticFilesOnlyFetcher

    with pytest.raises(ValueError):
        StaticFilesOnlyFetcher().fetch(url)
