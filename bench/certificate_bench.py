"""Time one certificate PDF against WeasyPrint's time for a minimal page.

The script migrates a throwaway SQLite database in a temporary folder, then
prints the median of ROUNDS runs, after two warm-up runs, of:

- a minimal page (one paragraph) rendered by WeasyPrint as it comes,
  ``HTML(string=...).write_pdf()``, which creates its default URL fetcher
  for every document;
- the same minimal page with the certificate's shared static-files fetcher,
  so only the document itself is timed;
- one certificate, from its template to the PDF bytes, for a Latin, a Greek
  and an Arabic holder name;

and the ratio of each certificate to both minimal pages. The budget is a
certificate within 1.5 times WeasyPrint's time for a minimal page.
Nothing is written into the repository. Run with
``.venv/bin/python bench/certificate_bench.py``.
"""

import datetime
import io
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROUNDS = 15
BUDGET_RATIO = 1.5
MINIMAL_PAGE = '<!doctype html><html lang="en"><body><p>A minimal page.</p></body></html>'
HOLDERS = {
    "Latin": "Zoë Łukasiewicz-Ørsted",
    "Greek": "Αικατερίνη Παπαδοπούλου",
    "Arabic": "فاطمة الزهراء",
}


def prepare_environment(database_path: Path) -> None:
    """Set fresh keys and safe settings before Django reads them, ignoring a developer's .env."""
    os.environ["DJANGO_ENV_FILE"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode("ascii")
    os.environ["BLIND_INDEX_KEY"] = secrets.token_urlsafe(48)
    os.environ["SITE_URL"] = "http://testserver"
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_TRANSPORT"] = "false"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["MAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DATABASE_URL"] = f"sqlite:///{database_path}"


def median_ms(action, rounds: int = ROUNDS) -> float:
    """Run ``action`` twice to warm up, then ``rounds`` times, and return the median in ms."""
    action()
    action()
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="certificate-bench-") as folder:
        prepare_environment(Path(folder) / "bench.sqlite3")

        import django

        django.setup()

        from django.core.management import call_command

        call_command("migrate", verbosity=0, stdout=io.StringIO())

        from weasyprint import HTML

        from programme.letters.certificates import new_code, render_certificate_pdf
        from programme.letters.models import Certificate
        from programme.letters.pdf import STATIC_SCHEME, static_files_fetcher

        plain = median_ms(lambda: HTML(string=MINIMAL_PAGE).write_pdf())
        shared = median_ms(
            lambda: HTML(
                string=MINIMAL_PAGE, base_url=STATIC_SCHEME, url_fetcher=static_files_fetcher()
            ).write_pdf()
        )
        print(f"Minimal page, WeasyPrint as it comes: {plain:.1f} ms (median of {ROUNDS})")
        print(f"Minimal page, shared fetcher: {shared:.1f} ms")

        for script, name in HOLDERS.items():
            certificate = Certificate.objects.create(
                code=new_code(),
                source_key=f"bench:{script}",
                holder_name=name,
                role="mentee",
                starts_on=datetime.date(2027, 1, 15),
                ends_on=datetime.date(2028, 1, 15),
            )
            took = median_ms(lambda certificate=certificate: render_certificate_pdf(certificate))
            verdict = "within" if took / plain <= BUDGET_RATIO else "over"
            print(
                f"Certificate, {script} name: {took:.1f} ms, {took / plain:.2f}x the plain "
                f"minimal page ({verdict} the budget of {BUDGET_RATIO}x), "
                f"{took / shared:.2f}x the minimal page with the shared fetcher"
            )


if __name__ == "__main__":
    main()
