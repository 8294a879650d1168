#!/usr/bin/env python3
"""Project-local PostgreSQL + PostGIS cluster under var/pg (standard library only).

Used by the Makefile when DATABASE_URL is not given:

    python3 scripts/localdb.py start            # initdb if needed, start, print nothing
    python3 scripts/localdb.py url [DBNAME]     # postgresql+psycopg://... for that database
    python3 scripts/localdb.py createdb NAME [--fresh]
    python3 scripts/localdb.py stop
    DORA_PG_DIR=/some/dir python3 scripts/localdb.py …   # another cluster, same commands

PostgreSQL refuses to run as root, so when we are root the cluster belongs to the
`postgres` system user and every server binary runs through `runuser`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# DORA_PG_DIR: another cluster (the tests start a throwaway one to stop it under the app).
PG_DIR = Path(os.environ.get("DORA_PG_DIR") or ROOT / "var" / "pg")
DATA_DIR = PG_DIR / "data"
RUN_DIR = PG_DIR / "run"
PORT_FILE = PG_DIR / "port"
LOG_FILE = PG_DIR / "server.log"
DEFAULT_PORT = 54329
SETTINGS = {
    # A development and benchmark cluster: sized for a 2-core, 24 GB machine and
    # for short OLTP-like queries (JIT only adds latency to those).
    "listen_addresses": "'127.0.0.1'",
    "shared_buffers": "'1GB'",
    "effective_cache_size": "'6GB'",
    "work_mem": "'64MB'",
    "maintenance_work_mem": "'1GB'",
    "max_wal_size": "'8GB'",
    "checkpoint_timeout": "'15min'",
    "random_page_cost": "1.1",
    "jit": "off",
    "synchronous_commit": "off",
    "max_connections": "200",
    "log_min_messages": "warning",
}


def fail(message: str) -> None:
    print(f"localdb: {message}", file=sys.stderr)
    sys.exit(1)


def pg_bindir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), reverse=True)
    if candidates:
        return candidates[0].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    fail("PostgreSQL server binaries not found: install postgresql-15 and postgresql-15-postgis-3")
    raise AssertionError  # unreachable


def as_server_user(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    return subprocess.run(args, **kwargs)


def prepare_dirs() -> None:
    PG_DIR.mkdir(parents=True, exist_ok=True)
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # The postgres user must reach var/pg through every parent directory.
        for parent in [PG_DIR, *PG_DIR.parents]:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                parent.chmod(mode | 0o001)
        shutil.chown(PG_DIR, "postgres", "postgres")
        shutil.chown(RUN_DIR, "postgres", "postgres")


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As PostgreSQL binds its own socket: connections of a server just stopped linger in
        # TIME_WAIT on its port, which must not make a restart move to another port (the
        # URLs handed out would then point at nothing).
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def choose_port() -> int:
    if port_is_free(DEFAULT_PORT):
        return DEFAULT_PORT
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def current_port() -> int | None:
    if PORT_FILE.exists():
        return int(PORT_FILE.read_text().strip())
    return None


def is_running(bindir: Path) -> bool:
    if not (DATA_DIR / "PG_VERSION").exists():
        return False
    result = as_server_user(
        [str(bindir / "pg_ctl"), "-D", str(DATA_DIR), "status"], capture_output=True
    )
    return result.returncode == 0


def initdb(bindir: Path) -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(DATA_DIR, "postgres", "postgres")
    DATA_DIR.chmod(0o700)
    result = as_server_user(
        [
            str(bindir / "initdb"),
            "-D",
            str(DATA_DIR),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale",
            "C.UTF-8",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        fail(f"initdb failed:\n{result.stdout}\n{result.stderr}")
    conf = DATA_DIR / "postgresql.conf"
    with conf.open("a") as handle:
        handle.write("\n# dora local cluster\n")
        for key, value in SETTINGS.items():
            handle.write(f"{key} = {value}\n")


def start() -> None:
    bindir = pg_bindir()
    prepare_dirs()
    if not (DATA_DIR / "PG_VERSION").exists():
        initdb(bindir)
    if is_running(bindir):
        return
    port = current_port()
    if port is None or not port_is_free(port):
        port = choose_port()
    PORT_FILE.write_text(f"{port}\n")
    if os.geteuid() == 0 and LOG_FILE.exists():
        shutil.chown(LOG_FILE, "postgres", "postgres")
    result = as_server_user(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(DATA_DIR),
            "-l",
            str(LOG_FILE),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {RUN_DIR}",
            "start",
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        log = LOG_FILE.read_text()[-2000:] if LOG_FILE.exists() else ""
        fail(f"could not start PostgreSQL:\n{result.stdout}{result.stderr}\n{log}")
    wait_ready(port)


def wait_ready(port: int) -> None:
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    fail(f"PostgreSQL did not answer on port {port}")


def stop() -> None:
    bindir = pg_bindir()
    if is_running(bindir):
        as_server_user([str(bindir / "pg_ctl"), "-D", str(DATA_DIR), "-m", "fast", "stop"])


def psql(sql: str, dbname: str = "postgres") -> subprocess.CompletedProcess:
    port = current_port()
    if port is None:
        fail("the local cluster was never started: run `python3 scripts/localdb.py start`")
    return subprocess.run(
        [
            str(pg_bindir() / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            dbname,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
            "-c",
            sql,
        ],
        capture_output=True,
        text=True,
    )


def createdb(name: str, fresh: bool) -> None:
    if not name.replace("_", "").isalnum():
        fail(f"invalid database name: {name!r}")
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").stdout.strip() == "1"
    if exists and fresh:
        result = psql(f'DROP DATABASE "{name}" WITH (FORCE)')
        if result.returncode != 0:
            fail(result.stderr)
        exists = False
    if not exists:
        result = psql(f'CREATE DATABASE "{name}"')
        if result.returncode != 0:
            fail(result.stderr)


def url(name: str) -> str:
    port = current_port()
    if port is None:
        fail("the local cluster was never started")
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{name}"


def main(argv: list[str]) -> None:
    if not argv:
        fail(__doc__ or "usage")
    command, *rest = argv
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "url":
        print(url(rest[0] if rest else "dora"))
    elif command == "createdb":
        if not rest:
            fail("createdb needs a database name")
        createdb(rest[0], fresh="--fresh" in rest)
    else:
        fail(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
