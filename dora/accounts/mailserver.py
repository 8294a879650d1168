"""A local SMTP server that keeps what it receives (development and tests; needs aiosmtpd).

server = MailServer(directory=Path("var/mail"))   # or directory=None: in memory only
server.start("127.0.0.1", 8025)
...
server.messages            # list of email.message.EmailMessage, oldest first
server.wait_for(lambda m: m["To"] == "a@b.fr", timeout=5)
server.stop()
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path


class MailServer:
    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self.messages: list[EmailMessage] = []
        self._condition = threading.Condition()
        self._controller = None
        self.port: int | None = None

    # aiosmtpd handler hook
    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd API name
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode()
        message = BytesParser(policy=policy.default).parsebytes(data)
        if self.directory is not None:
            from dora.accounts.emails import write_eml

            write_eml(data, self.directory)
        with self._condition:
            self.messages.append(message)  # type: ignore[arg-type]
            self._condition.notify_all()
        return "250 Message accepted for delivery"

    def start(self, host: str = "127.0.0.1", port: int = 8025) -> MailServer:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname=host, port=port)
        self._controller.start()
        self.port = port
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self._condition:
            self.messages.clear()

    def wait_for(
        self, match: Callable[[EmailMessage], bool] = lambda m: True, timeout: float = 10
    ) -> EmailMessage:
        """The first received message matching `match`, waiting for it if needed."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                for message in self.messages:
                    if match(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    received = [f"{m['To']}: {m['Subject']}" for m in self.messages]
                    raise TimeoutError(f"no matching e-mail within {timeout}s; got {received}")
                self._condition.wait(remaining)
