"""The load scenario of ``make load`` (docs/operations.md, "Load test"); run by ``loadtest``.

Citizens sign in by OTP (the file SMS backend's codes in ``var/log/sms.log``), file reports
(20 % with a small JPEG photo) and poll their lists; officers work their queues through the
staff API; the public reads Open311 and the city dashboard. Every report answered 2xx is
written to ``LOAD_ACCEPTED`` (one ``client_request_id`` and report id a line) so that the
runner can count it in the database afterwards; every answer's status is counted in
``LOAD_STATUSES``.
"""

import io
import json
import os
import random
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task
from PIL import Image

SMS_LOG = Path(os.environ.get("LOAD_SMS_LOG", "var/log/sms.log"))
ACCEPTED = Path(os.environ.get("LOAD_ACCEPTED", "var/load/accepted.jsonl"))
STATUSES = Path(os.environ.get("LOAD_STATUSES", "var/load/statuses.json"))
STAFF_TOKENS: list[str] = json.loads(os.environ.get("LOAD_STAFF_TOKENS", "[]"))
CATEGORIES = ["banjir", "jalan_rusak", "sampah"]
CENTRE = (-6.1754, 106.8272)  # Gambir

statuses: Counter[str] = Counter()
accepted_file = ACCEPTED.open("a", encoding="utf-8")


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 120, 160)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


PHOTO = _jpeg()


@events.request.add_listener
def _count(name: str, response: Any, **_kw: Any) -> None:
    statuses[str(getattr(response, "status_code", 0) or 0)] += 1


@events.test_stop.add_listener
def _dump(**_kw: Any) -> None:
    accepted_file.flush()
    STATUSES.write_text(json.dumps(dict(statuses)), encoding="utf-8")


def _checked(response: Any) -> None:
    """Any 5xx (or no answer) is a failure; 4xx answers are counted, not failed."""
    if response.status_code >= 500 or response.status_code == 0:
        response.failure(f"{response.status_code}")
    else:
        response.success()


def _code_for(phone: str, deadline: float) -> str:
    while time.monotonic() < deadline:
        with SMS_LOG.open("rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 512 * 1024))
            lines = log.read().decode("utf-8", "replace").splitlines()
        for line in reversed(lines):
            if phone in line:
                try:
                    return str(json.loads(line)["code"])
                except (ValueError, KeyError):
                    continue
        time.sleep(0.2)
    raise RuntimeError(f"no code for {phone} in {SMS_LOG}")


class Citizen(HttpUser):
    """Signs in once, files reports and polls their list and their reports."""

    weight = 6
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.token = ""
        self.mine: list[str] = []
        phone = f"+62812{random.randrange(10**7, 10**8)}"
        with self.client.post(
            "/api/v1/auth/otp/request/", json={"phone": phone}, catch_response=True
        ) as response:
            _checked(response)
            if response.status_code != 202:
                return
        code = _code_for(phone, time.monotonic() + 15)
        with self.client.post(
            "/api/v1/auth/otp/verify/", json={"phone": phone, "code": code}, catch_response=True
        ) as response:
            _checked(response)
            if response.status_code == 200:
                self.token = response.json()["token"]

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", "Accept-Language": "id"}

    @task(2)
    def file_report(self) -> None:
        if not self.token:
            return
        key = str(uuid.uuid4())
        fields = {
            "client_request_id": key,
            "category": random.choice(CATEGORIES),
            "description": "Uji beban: laporan warga",
            "lat": f"{CENTRE[0] + random.uniform(-0.01, 0.01):.6f}",
            "lon": f"{CENTRE[1] + random.uniform(-0.01, 0.01):.6f}",
        }
        with_photo = random.random() < 0.2
        for _attempt in range(3):  # a lost answer is retried with the same request id
            if with_photo:
                request = self.client.post(
                    "/api/v1/reports/",
                    data=fields,
                    files={"photos": ("foto.jpg", PHOTO, "image/jpeg")},
                    headers=self._headers(),
                    name="/api/v1/reports/ [photo]",
                    catch_response=True,
                )
            else:
                request = self.client.post(
                    "/api/v1/reports/",
                    json=fields,
                    headers=self._headers(),
                    name="/api/v1/reports/",
                    catch_response=True,
                )
            with request as response:
                _checked(response)
                if response.status_code in (200, 201):
                    public_id = response.json()["id"]
                    accepted_file.write(json.dumps({"key": key, "id": public_id}) + "\n")
                    self.mine.append(public_id)
                    return
                if response.status_code != 0:
                    return

    @task(4)
    def my_reports(self) -> None:
        if self.token:
            with self.client.get(
                "/api/v1/me/reports/", headers=self._headers(), catch_response=True
            ) as response:
                _checked(response)

    @task(2)
    def one_of_mine(self) -> None:
        if self.mine:
            with self.client.get(
                f"/api/v1/reports/{random.choice(self.mine)}/",
                headers=self._headers(),
                name="/api/v1/reports/{id}/",
                catch_response=True,
            ) as response:
                _checked(response)


class Officer(HttpUser):
    """Works a queue: lists it, opens tickets and claims some (staff token)."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.headers = {"Accept-Language": "id"}
        if STAFF_TOKENS:
            self.headers["Authorization"] = f"Token {random.choice(STAFF_TOKENS)}"

    @task
    def work_queue(self) -> None:
        with self.client.get(
            "/api/v1/staff/tickets/?page_size=20",
            headers=self.headers,
            name="/api/v1/staff/tickets/",
            catch_response=True,
        ) as response:
            _checked(response)
            if response.status_code != 200:
                return
            body = response.json()
            tickets = body.get("results", []) if isinstance(body, dict) else body
        if not tickets:
            return
        ticket = random.choice(tickets)["id"]
        with self.client.get(
            f"/api/v1/staff/tickets/{ticket}/",
            headers=self.headers,
            name="/api/v1/staff/tickets/{id}/",
            catch_response=True,
        ) as response:
            _checked(response)
        if random.random() < 0.3:  # claim it; a ticket already taken is a 4xx, not a failure
            with self.client.post(
                f"/api/v1/staff/tickets/{ticket}/take/",
                json={"note": ""},
                headers=self.headers,
                name="/api/v1/staff/tickets/{id}/take/",
                catch_response=True,
            ) as response:
                _checked(response)


class Public(HttpUser):
    """Open311 reads and the public city dashboard."""

    weight = 2
    wait_time = between(1, 3)

    def _get(self, path: str, name: str | None = None) -> None:
        with self.client.get(path, name=name or path, catch_response=True) as response:
            _checked(response)

    @task(2)
    def open311_requests(self) -> None:
        self._get("/open311/v2/requests.json")

    @task(1)
    def open311_services(self) -> None:
        self._get("/open311/v2/services.json")

    @task(2)
    def dashboard(self) -> None:
        self._get("/dashboard/")

    @task(2)
    def dashboard_map(self) -> None:
        self._get("/dashboard/peta.json")
