import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Drive Debian's Chromium; Playwright never downloads a browser of its own here."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(autouse=True)
def _short_timeouts(page):
    # A missing element fails in seconds rather than after Playwright's 30 s.
    page.set_default_timeout(10_000)


@pytest.fixture
def page_problems(page):
    """Collect what a person would not see but should not happen: blocked inline
    code (Content-Security-Policy violations) and stylesheets, scripts or images
    that fail to load. Form pages answer 400 on purpose, so documents are skipped."""
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "Failed to load resource" not in message.text:
            problems.append(message.text)

    def on_response(response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    return problems
