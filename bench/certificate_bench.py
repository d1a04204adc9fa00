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
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from common import ROUNDS, median_ms, prepare_environment  # noqa: E402

BUDGET_RATIO = 1.5
MINIMAL_PAGE = '<!doctype html><html lang="en"><body><p>A minimal page.</p></body></html>'
HOLDERS = {
    "Latin": "Zoë Łukasiewicz-Ørsted",
    "Greek": "Αικατερίνη Παπαδοπούλου",
    "Arabic": "فاطمة الزهراء",
}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="certificate-bench-") as folder:
        prepare_environment(
            DATABASE_URL=f"sqlite:///{Path(folder) / 'bench.sqlite3'}", LOG_LEVEL="ERROR"
        )

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
