import io

from django.core.mail import EmailMessage

from programme.core.mail import ReadableConsoleBackend


def test_readable_console_prints_link_on_one_line():
    link = "http://127.0.0.1:8000/confirm-address/" + "a" * 150 + "/"
    message = EmailMessage(
        subject="Grüße", body=f"Dear Ελένη,\n{link}\n", to=["a@example.org"], cc=["b@example.net"]
    )
    stream = io.StringIO()

    ReadableConsoleBackend(stream=stream, alias="default").send_messages([message])

    output = stream.getvalue()
    assert link in output.splitlines()
    assert "Dear Ελένη," in output
    assert "Subject: Grüße" in output
    assert "Cc: b@example.net" in output
