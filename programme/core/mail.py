"""A console mail backend for development that prints messages as people read them.

Django's own console backend prints the encoded message, where quoted-printable
wraps long links over several lines and shows non-Latin names as escape codes.
This one prints the headers and the decoded text body, so a link can be opened
straight from the server's output.
"""

import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend


class ReadableConsoleBackend(BaseEmailBackend):
    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        sent = 0
        with self._lock:
            for message in email_messages:
                self.stream.write(self.format_message(message))
                self.stream.flush()
                sent += 1
        return sent

    @staticmethod
    def format_message(message) -> str:
        lines = [
            "-" * 72,
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
        ]
        if message.cc:
            lines.append(f"Cc: {', '.join(message.cc)}")
        lines.append(f"Subject: {message.subject}")
        for attachment in message.attachments:
            name = getattr(attachment, "filename", None) or attachment[0]
            lines.append(f"Attachment: {name}")
        lines += ["", message.body, "-" * 72, ""]
        return "\n".join(lines)
