"""schemathesis against `/api/openapi.json`: the real API, served on a free port, answers
every generated request (valid and invalid) without a 5xx and as its description says:
documented status codes, content types and response schemas, and requests that break
the description refused with a 4xx.

schemathesis runs as its command line (`schemathesis run`): its pytest plugin's lazy
schema does not work with pytest 9, and the command line has the coverage phase, which
tries every constraint's boundaries deterministically. Bounded and deterministic: a fixed
number of examples per operation, derandomized, no example database, no shrinking, one
worker. The app runs in a thread of its own on this run's database and vhost, and the
user it signs in as is a real registered account; the bridges it registered lose their
broker accounts at the end.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import requests
from api_harness import PASSWORD

from adapters.amqp.accounts import BridgeAccounts
from adapters.api.app import create_app
from adapters.settings import Settings
from adapters.web.local_server import serving

MAX_EXAMPLES = 30
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
# examples, then coverage (boundary values of every constraint, deterministically: one
# past maxLength, a control character against a pattern, a wrong type, a missing required
# field...), then fuzzing. Stateful testing needs links the description does not declare.
PHASES = "examples,coverage,fuzzing"
CONFIG = f"""
[generation]
max-examples = {MAX_EXAMPLES}
deterministic = true
database = "none"
# The API ignores unknown query parameters and headers by design (docs/api.md); unknown
# body fields are refused, which test_api_*.py check field by field.
allow-extra-parameters = false
# The signed-in user's token goes with every request (-H), it is not generated.
with-security-parameters = false
"""
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


class ServedApi:
    """The API app on a free port of 127.0.0.1, run by an event loop in its own thread."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._loop = asyncio.new_event_loop()
        self._started: concurrent.futures.Future[str] = concurrent.futures.Future()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="schema-api", daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return self._started.result(timeout=60)

    def __exit__(self, *_: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._serve())
            self._loop.run_until_complete(self._loop.shutdown_default_executor())
        finally:
            self._loop.close()

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        try:
            async with serving(create_app(self._settings), shutdown_timeout=5) as url:
                self._started.set_result(url)
                await self._stop.wait()
        except BaseException as error:
            if not self._started.done():
                self._started.set_exception(error)
            raise


def _delete_bridge_accounts(settings: Settings, base_url: str, headers: dict[str, str]) -> None:
    bridges = requests.get(
        f"{base_url}/api/bridges?include_revoked=true", headers=headers, timeout=30
    ).json()["bridges"]

    async def delete() -> None:
        import aiohttp

        async with aiohttp.ClientSession() as http:
            accounts = BridgeAccounts(settings, http)
            for bridge in bridges:
                await accounts.delete(bridge["client_id"])

    asyncio.run(delete())


@pytest.fixture(scope="module")
def served_api(settings: Settings) -> Iterator[tuple[str, dict[str, str]]]:
    with ServedApi(settings) as base_url:
        reply = requests.post(
            f"{base_url}/api/auth/register",
            json={"email": f"schema-{uuid.uuid4().hex[:12]}@example.com", "password": PASSWORD},
            timeout=30,
        )
        assert reply.status_code == 201, reply.text
        headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
        try:
            yield base_url, headers
        finally:
            _delete_bridge_accounts(settings, base_url, headers)
            # Its hundreds of failed logins must not throttle later tests' logins.
            with psycopg.connect(settings.database_url, autocommit=True) as db:
                db.execute("DELETE FROM login_throttle WHERE key = 'ip:127.0.0.1'")


def test_the_api_answers_as_its_openapi_description_says(
    served_api: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base_url, headers = served_api
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{base_url}/api/openapi.json",
        "--phases",
        PHASES,
        "--checks",
        ",".join(CHECKS),
        "--header",
        f"Authorization: {headers['Authorization']}",
        "--no-shrink",
        "--workers",
        "1",
        "--request-timeout",
        "30",
    ]
    # Its cache goes to the working directory: the test's own, removed afterwards.
    result = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, "\n".join(report.splitlines()[-200:])
    assert "Tested: 0" not in report
