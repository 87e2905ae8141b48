"""Real MinIO, PostgreSQL and SMTP servers for the test session.

Each helper starts its server on a free loopback port with throwaway data,
waits until it answers, and stops it again.  A server that cannot start
raises :class:`ServerUnavailable`, which makes the tests that need it fail
(never skip): a green run means the real server path was exercised.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINIO_USER = "bauakte-test"
MINIO_PASSWORD = "bauakte-test-secret-key"


class ServerUnavailable(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def minio_binary() -> Path:
    explicit = os.environ.get("BAUAKTE_MINIO_BIN")
    if explicit:
        return Path(explicit)
    version = (ROOT / "scripts" / "minio.version").read_text().strip()
    cache = Path(os.environ.get("BAUAKTE_CACHE", Path.home() / ".cache" / "bauakte"))
    binary = cache / "bin" / f"minio-{version}"
    if not binary.exists():
        raise ServerUnavailable(f"MinIO binary {binary} is missing: run scripts/build-minio.sh")
    return binary


class MinioServer:
    """One ``minio server`` process over one or more drive folders."""

    def __init__(self, drives: list[Path], port: int | None = None,
                 peers: list[str] | None = None, host: str = "127.0.0.1") -> None:  # fmt: skip
        """``peers``: every node's drive as a URL (a distributed setup); else ``drives``."""
        self.drives = drives
        self.peers = peers
        self.host = host
        self.port = port or free_port()
        self.console_port = free_port()
        self.log_path = drives[0].parent / f"minio-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def url(self, bucket: str, **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"secure": "false", **params}.items())
        return f"s3://{MINIO_USER}:{MINIO_PASSWORD}@{self.endpoint}/{bucket}?{query}"

    def start(self, timeout: float = 60.0) -> None:
        self.launch()
        self._wait_ready(timeout)

    def launch(self) -> None:
        for drive in self.drives:
            drive.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "MINIO_ROOT_USER": MINIO_USER,
            "MINIO_ROOT_PASSWORD": MINIO_PASSWORD,
            "MINIO_BROWSER": "off",
            "MINIO_UPDATE": "off",
            # several drives on the root disk are refused outside CI/CD mode
            "MINIO_CI_CD": "1",
        }
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                str(minio_binary()),
                "server",
                "--quiet",
                "--address",
                self.endpoint,
                "--console-address",
                f"{self.host}:{self.console_port}",
                *(self.peers or map(str, self.drives)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        log.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://{self.endpoint}/minio/health/cluster"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerUnavailable(
                    f"minio exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise ServerUnavailable(
            f"minio did not become ready on {self.endpoint}:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        """Kill the server at once, as a crash or a pulled plug would."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return "(no log)"


def _pg_bindir() -> Path:
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    except (OSError, subprocess.CalledProcessError):
        pass
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise ServerUnavailable(
            "PostgreSQL server programs are missing: install Debian's 'postgresql' package "
            "(make test does this)"
        )
    return versions[-1].parent


class PostgresServer:
    """A throwaway PostgreSQL cluster on loopback, owned by a temporary folder.

    PostgreSQL refuses to run as root, so as root the cluster is created and
    run as the ``postgres`` system user (Debian's package creates it).
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.bindir = _pg_bindir()
        self.dir = Path(tempfile.mkdtemp(prefix="bauakte-pg-"))
        self.data = self.dir / "data"
        self.user = "bauakte"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            raise ServerUnavailable(f"{' '.join(cmd)} failed:\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        if self._as_postgres:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable(
                    "running as root needs the 'postgres' user from Debian's postgresql package"
                ) from None
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "-E", "UTF8")
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        self.options = options
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(ServerUnavailable):
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def pause(self) -> None:
        """The server shut down as a restart does ('fast': open sessions are cut off)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        """Up again on the same port with the same data."""
        self._run("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", str(self.dir / "log"),
                  "-w", "start")  # fmt: skip

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a loopback port, keeping what it receives.

    ``refuse`` holds addresses answered with 550; ``stop()`` and ``start()``
    again on the same port simulate an outage.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?starttls=never"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(_Keeper(self), hostname="127.0.0.1", port=self.port)
        try:
            self._controller.start()
        except Exception as exc:  # aiosmtpd raises its own and OSErrors alike
            raise ServerUnavailable(f"aiosmtpd did not start on port {self.port}: {exc}") from exc

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    def wait_for(self, address: str, count: int = 1, timeout: float = 20.0) -> EmailMessage:
        """The ``count``-th message to ``address``, waiting for a worker to send it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            received = self.to(address)
            if len(received) >= count:
                return received[count - 1]
            time.sleep(0.1)
        raise AssertionError(f"no mail no. {count} for {address} within {timeout} s")


def mail_links(message: EmailMessage) -> list[str]:
    """The links in a mail's text, as a person would click them."""
    body = message.get_body(preferencelist=("plain",))
    return re.findall(r"https?://\S+", body.get_content() if body else "")


class _Keeper:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server.messages.append(message)
        return "250 OK"


def fetched_home(script: str, what: str, variable: str) -> Path:
    """A distribution fetched from Maven Central once by ``scripts/<script>``, or the folder
    named by the environment ``variable``."""
    explicit = os.environ.get(variable)
    if explicit:
        return Path(explicit)
    try:
        out = subprocess.run([str(ROOT / "scripts" / script)], capture_output=True, text=True,
                             check=True)  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise ServerUnavailable(f"{what} could not be fetched: {detail.strip()}") from None
    return Path(out.stdout.strip())


def keycloak_home() -> Path:
    return fetched_home("fetch-keycloak.sh", "Keycloak", "BAUAKTE_KEYCLOAK_HOME")


def _saml_mapper(name: str, attribute: str) -> dict:
    """A Keycloak mapper that sends the user's ``name`` as the SAML attribute ``attribute``."""
    return {"name": name, "protocol": "saml", "protocolMapper": "saml-user-property-mapper",
            "config": {"user.attribute": name, "attribute.name": attribute,
                       "attribute.nameformat": "Basic"}}  # fmt: skip


class KeycloakServer:
    """A real Keycloak (the identity provider) in development mode with an in-memory database.

    Realms, SAML clients and users are made through its admin REST API, as an
    operator would; nothing is written to the shared distribution folder but
    Quarkus' build cache.
    """

    ADMIN, ADMIN_PASSWORD = "admin", "bauakte-keycloak-admin"

    def __init__(self) -> None:
        self.home = keycloak_home()
        self.port, self.management_port = free_port(), free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="bauakte-keycloak-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 240.0) -> None:
        env = {**os.environ, "KC_BOOTSTRAP_ADMIN_USERNAME": self.ADMIN,
               "KC_BOOTSTRAP_ADMIN_PASSWORD": self.ADMIN_PASSWORD}  # fmt: skip
        command = [str(self.home / "bin" / "kc.sh"), "start-dev", "--db=dev-mem",
                   "--http-host=127.0.0.1", f"--http-port={self.port}",
                   f"--http-management-port={self.management_port}"]  # fmt: skip
        with open(self.dir / "keycloak.log", "wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            probe = f"{self.url}/realms/master"
            with contextlib.suppress(OSError), urllib.request.urlopen(probe, timeout=2) as answer:
                if answer.status == 200:
                    return
            time.sleep(1)
        tail = (self.dir / "keycloak.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise ServerUnavailable(f"Keycloak did not start on {self.url}:\n{tail}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, 15)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        shutil.rmtree(self.dir, ignore_errors=True)

    def _admin(self, method: str, path: str, body: object | None = None) -> bytes:
        import json

        form = urllib.parse.urlencode({"grant_type": "password", "client_id": "admin-cli",
                                       "username": self.ADMIN,
                                       "password": self.ADMIN_PASSWORD}).encode()  # fmt: skip
        token_url = f"{self.url}/realms/master/protocol/openid-connect/token"
        with urllib.request.urlopen(token_url, data=form, timeout=30) as answer:
            token = json.load(answer)["access_token"]
        request = urllib.request.Request(
            f"{self.url}/admin{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read()

    def create_realm(self, realm: str) -> None:
        self._admin("POST", "/realms", {"realm": realm, "enabled": True})

    def add_user(self, realm: str, username: str, password: str, **profile: str) -> None:
        self._admin("POST", f"/realms/{realm}/users", {
            "username": username, "enabled": True, "emailVerified": True, **profile,
            "credentials": [{"type": "password", "value": password, "temporary": False}],
        })  # fmt: skip

    def add_saml_client(self, realm: str, entity_id: str, acs_url: str, **attributes: str) -> None:
        """A service provider as Bauakte expects it: signed assertions, persistent name ids.
        A client that is there already is kept (several test modules share one)."""
        client = {
            "clientId": entity_id, "protocol": "saml", "enabled": True,
            "redirectUris": [acs_url],
            "attributes": {
                "saml.client.signature": "false", "saml.assertion.signature": "true",
                "saml.server.signature": "true", "saml.authnstatement": "true",
                "saml_force_name_id_format": "true", "saml_name_id_format": "persistent",
                "saml_assertion_consumer_url_post": acs_url, **attributes,
            },
            "protocolMappers": [_saml_mapper("email", "email"),
                                _saml_mapper("firstName", "givenName"),
                                _saml_mapper("lastName", "surname")],
        }  # fmt: skip
        try:
            self._admin("POST", f"/realms/{realm}/clients", client)
        except urllib.error.HTTPError as exc:
            if exc.code != 409:  # 409: the client exists
                raise

    def metadata(self, realm: str) -> bytes:
        """The identity provider's metadata, as an operator downloads it once."""
        descriptor = f"{self.url}/realms/{realm}/protocol/saml/descriptor"
        with urllib.request.urlopen(descriptor, timeout=30) as answer:
            return answer.read()
