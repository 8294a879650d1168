"""A local SMTP server that keeps what it receives (development and tests; needs aiosmtpd).

Development: `make run` starts it in the background with
`python -m dora.accounts.mailserver --background` (no database needed), `make stop` stops it
(`--stop`); `dora mail serve|stop` do the same from the `dora` command. Messages land as .eml
files in var/mail/, listed at http://127.0.0.1:5000/dev/mails.

In code and tests:

server = MailServer(directory=Path("var/mail"))   # or directory=None: in memory only
server.start("127.0.0.1", 8025)
...
server.messages            # list of email.message.EmailMessage, oldest first
server.wait_for(lambda m: m["To"] == "a@b.fr", timeout=5)
server.stop()
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
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


# Running it (development) ----------------------------------------------------------------

DEFAULT_DIRECTORY = Path(__file__).resolve().parents[2] / "var" / "mail"


def _pid_file(directory: Path) -> Path:
    return directory / "smtpd.pid"


def listening(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def serve_forever(host: str, port: int, directory: Path) -> None:
    """Serve until SIGINT/SIGTERM."""
    server = MailServer(directory=directory).start(host, port)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.stop()


def _exit_on_signal(signum, frame) -> None:
    raise SystemExit(0)


def start_background(host: str, port: int, directory: Path) -> str:
    """Start a detached server unless one already listens; say what happened (French)."""
    directory.mkdir(parents=True, exist_ok=True)
    if listening(host, port):
        return f"Un serveur SMTP écoute déjà sur {host}:{port}."
    log = (directory / "smtpd.log").open("ab")
    command = [sys.executable, "-m", "dora.accounts.mailserver", "--host", host]
    command += ["--port", str(port), "--directory", str(directory)]
    process = subprocess.Popen(
        command, stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
    )
    _pid_file(directory).write_text(str(process.pid))
    for _ in range(50):
        if listening(host, port):
            break
        time.sleep(0.1)
    return f"Serveur SMTP local sur {host}:{port} (pid {process.pid}) ; e-mails dans {directory}."


def stop_background(directory: Path) -> str:
    pid_file = _pid_file(directory)
    if not pid_file.exists():
        return "Aucun serveur SMTP local lancé en arrière-plan."
    pid = int(pid_file.read_text().strip() or 0)
    pid_file.unlink(missing_ok=True)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return "Le serveur SMTP local ne tournait plus."
    return f"Serveur SMTP local arrêté (pid {pid})."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serveur SMTP local de développement.")
    parser.add_argument("--host", default=os.environ.get("MAIL_SERVER", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MAIL_PORT", "8025")))
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--background", action="store_true", help="lancer en arrière-plan")
    parser.add_argument("--stop", action="store_true", help="arrêter le serveur d’arrière-plan")
    args = parser.parse_args(argv)
    if args.stop:
        print(stop_background(args.directory))
    elif args.background:
        print(start_background(args.host, args.port, args.directory))
    else:
        args.directory.mkdir(parents=True, exist_ok=True)
        print(f"Serveur SMTP local sur {args.host}:{args.port} ; e-mails dans {args.directory}.")
        serve_forever(args.host, args.port, args.directory)


if __name__ == "__main__":
    main()
