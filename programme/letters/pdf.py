"""PDF letters with WeasyPrint, offline: only our own static files can be loaded."""

import functools
import mimetypes

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from programme.core.models import ProgrammeSettings
from programme.letters.models import Letter

STATIC_SCHEME = "static:"


class StaticFilesOnlyFetcher(URLFetcher):
    """Serve ``static:<path>`` from the static files on disk and reject every other URL.

    A letter body comes from staff and applicants, so nothing in it may make
    the renderer reach the network or read other files.
    """

    def fetch(self, url, headers=None):
        if not url.startswith(STATIC_SCHEME):
            raise ValueError(f"Letters may only load static files, not {url[:80]!r}.")
        relative = url.removeprefix(STATIC_SCHEME).lstrip("/")
        if ".." in relative.split("/"):
            raise ValueError(f"Static paths may not leave the static folders: {relative!r}.")
        path = finders.find(relative)
        if path is None:
            raise ValueError(f"Static file not found: {relative!r}.")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type}, 200)


@functools.cache
def static_files_fetcher() -> StaticFilesOnlyFetcher:
    # WeasyPrint 70's URLFetcher builds an HTTPS context when it is created,
    # measured at 25 to 50 ms on a 2-core virtual machine (see bench/README.md).
    # This fetcher never opens a URL, so one instance serves every
    # letter and certificate a process renders.
    return StaticFilesOnlyFetcher()


def render_pdf(html: str) -> bytes:
    return HTML(
        string=html, base_url=STATIC_SCHEME, url_fetcher=static_files_fetcher()
    ).write_pdf()


def letter_html(letter: Letter) -> str:
    context = {"letter": letter, "programme": ProgrammeSettings.objects.get_current()}
    return render_to_string("letters/letter_pdf.html", context)


def render_letter_pdf(letter: Letter) -> bytes:
    return render_pdf(letter_html(letter))
