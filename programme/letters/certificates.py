"""Completion certificates: issuing, their codes, the PDF and the public check.

A certificate is issued once per source key (such as ``pairing:7:mentor``).
Its PDF is rendered by the task worker and stored on the row, so no web
request renders one. The certificate letter attaches the stored bytes. The
PDF contains the holder's name, so it is stored encrypted with the field
encryption keys. It can always be rendered again from the row, so a PDF that
no current key opens is rendered again rather than lost.
"""

import datetime
import logging
import re
import secrets
import unicodedata

from cryptography.fernet import InvalidToken
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML

from programme.core.crypto import current_multifernet
from programme.core.models import Person, ProgrammeSettings
from programme.core.services import record_event
from programme.letters.models import Certificate
from programme.letters.pdf import STATIC_SCHEME, static_files_fetcher
from programme.letters.services import site_link

logger = logging.getLogger(__name__)

# Letters and digits that cannot be mistaken for one another when read aloud
# or typed from paper: no 0/O and no 1/I.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_GROUPS = 3
CODE_GROUP_LENGTH = 4
CODE_LENGTH = CODE_GROUPS * CODE_GROUP_LENGTH
# Attempts at drawing an unused code before giving up. With 32**12 codes a
# single collision is already unlikely.
CODE_ATTEMPTS = 10
# Whitespace, the hyphen-minus and the Unicode hyphens and dashes U+2010 to U+2014.
SEPARATORS = re.compile(r"[\s\-\u2010-\u2014]+")


def new_code() -> str:
    """Draw a random code written as XXXX-XXXX-XXXX."""
    characters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    groups = [
        characters[start : start + CODE_GROUP_LENGTH]
        for start in range(0, CODE_LENGTH, CODE_GROUP_LENGTH)
    ]
    return "-".join(groups)


def normalise_code(typed: str) -> str | None:
    """Return the code in its stored form, or None when the text cannot be a code.

    Case, spaces and dashes do not matter, so "abcd efgh-jkmn" finds ABCD-EFGH-JKMN.
    """
    characters = SEPARATORS.sub("", typed).upper()
    if len(characters) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in characters):
        return None
    return "-".join(
        characters[start : start + CODE_GROUP_LENGTH]
        for start in range(0, CODE_LENGTH, CODE_GROUP_LENGTH)
    )


def find_certificate(typed_code: str) -> Certificate | None:
    """Return the certificate with this code, read without its PDF, or None."""
    code = normalise_code(typed_code)
    if code is None:
        return None
    return Certificate.objects.defer("pdf").filter(code=code).first()


def certificate_filename(certificate_id: int) -> str:
    return f"certificate-{certificate_id}.pdf"


def verify_link(certificate: Certificate) -> str:
    return site_link(reverse("year:verify") + f"?code={certificate.code}")


def issue_certificate(
    *,
    source_key: str,
    person: Person,
    role: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    actor=None,
) -> tuple[Certificate, bool]:
    """Issue the certificate for ``source_key``, or return the one already issued.

    Returns the certificate and whether it was created now. The holder's name
    is copied from the person. Side effects: one Certificate row, the audit
    event letters.certificate.issued and, after the commit, a task that
    renders the PDF.
    """
    existing = Certificate.objects.defer("pdf").filter(source_key=source_key).first()
    if existing is not None:
        return existing, False

    for _ in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    code=new_code(),
                    source_key=source_key,
                    person=person,
                    holder_name=person.full_name,
                    role=role,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
            break
        except IntegrityError:
            # If another run issued this source key a moment ago, its
            # certificate is returned. Otherwise the code was drawn before,
            # and the loop draws another.
            existing = Certificate.objects.defer("pdf").filter(source_key=source_key).first()
            if existing is not None:
                return existing, False
    else:
        raise RuntimeError(f"No unused certificate code found in {CODE_ATTEMPTS} attempts.")

    record_event("letters.certificate.issued", actor=actor, target=certificate)
    schedule_render(certificate.pk)
    return certificate, True


def schedule_render(certificate_id: int) -> None:
    """Enqueue the PDF rendering task once the current transaction commits."""
    from programme.letters.tasks import render_certificate

    transaction.on_commit(lambda: render_certificate.enqueue(certificate_id))


# The script of a name's first letter, as unicodedata names it, and the
# language tag that makes the renderer shape it and pick its font correctly.
SCRIPT_LANGUAGES = {
    "ARABIC": "ar",
    "CJK": "zh",
    "CYRILLIC": "ru",
    "GREEK": "el",
    "HANGUL": "ko",
    "HEBREW": "he",
    "HIRAGANA": "ja",
    "KATAKANA": "ja",
}


def name_language(name: str) -> str:
    """Guess a language tag for a name from the script of its first letter.

    Latin names and scripts not listed get "und" (undetermined). Only the
    script matters to the renderer, so "zh" stands for any Han name.
    """
    for character in name:
        if not character.isalpha():
            continue
        script = unicodedata.name(character, "").split(" ", 1)[0]
        return SCRIPT_LANGUAGES.get(script, "und")
    return "und"


def certificate_html(certificate: Certificate) -> str:
    context = {
        "certificate": certificate,
        "holder_language": name_language(certificate.holder_name),
        "programme": ProgrammeSettings.objects.get_current(),
        "verify_link": verify_link(certificate),
    }
    return render_to_string("letters/certificate_pdf.html", context)


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """Render the certificate as an A4 landscape PDF. Slow: call it from the worker."""
    return HTML(
        string=certificate_html(certificate),
        base_url=STATIC_SCHEME,
        url_fetcher=static_files_fetcher(),
    ).write_pdf()


def encrypt_pdf(pdf: bytes) -> bytes:
    return current_multifernet().encrypt(pdf)


def read_stored_pdf(certificate_id: int) -> bytes | None:
    """Return the certificate's stored PDF, or None when it is not rendered or no key opens it."""
    stored = Certificate.objects.filter(pk=certificate_id).values_list("pdf", flat=True).first()
    if not stored:
        return None
    try:
        return current_multifernet().decrypt(bytes(stored))
    except InvalidToken:
        logger.warning("Certificate %s: no current key opens the stored PDF", certificate_id)
        return None


def stored_certificate_pdf(certificate_id: int) -> bytes:
    """Return the certificate's PDF, rendering and storing it first when it is missing.

    The row is updated only after rendering, so no lock is held meanwhile.
    Two workers that render the same certificate at once store the same
    document, and the last one stored is kept.
    """
    stored = read_stored_pdf(certificate_id)
    if stored is not None:
        return stored

    certificate = Certificate.objects.defer("pdf").get(pk=certificate_id)
    pdf = render_certificate_pdf(certificate)
    Certificate.objects.filter(pk=certificate_id).update(pdf=encrypt_pdf(pdf))
    logger.info("Certificate %s rendered (%s bytes)", certificate_id, len(pdf))
    return pdf
