"""Sign-in by SMS code: the happy path, abuse (quality rows 32-33) and bad input."""

from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from apps.accounts.models import User
from apps.core.messaging import MemorySmsBackend
from apps.identity import vault
from apps.identity.models import OtpChallenge, Reporter
from tests.identity.factories import PHONE, citizen, client_for, fullwidth, last_code, sign_in

pytestmark = pytest.mark.django_db

REQUEST = "/api/v1/auth/otp/request/"
VERIFY = "/api/v1/auth/otp/verify/"


class FailingSms:
    def send(self, *, to: str, body: str, **extra: object) -> None:
        raise RuntimeError(f"gateway refused {to}")


def _request(client: APIClient, phone: str = PHONE, **extra: str):
    return client.post(REQUEST, {"phone": phone}, format="json", **extra)


def _verify(client: APIClient, code: str, phone: str = PHONE, **profile: str):
    return client.post(VERIFY, {"phone": phone, "code": code, **profile}, format="json")


def _later(monkeypatch: pytest.MonkeyPatch, delta: timedelta) -> None:
    moved = timezone.now() + delta
    monkeypatch.setattr(timezone, "now", lambda: moved)


def test_first_sign_in_creates_a_citizen_without_personal_data_in_the_user(api_client):
    body = sign_in(api_client, "0812-3456-789", name="Siti Rahayu", email="Siti@Example.id")

    reporter = Reporter.objects.get()
    user = reporter.user
    assert body["reporter"] == {"pseudonym": reporter.pseudonym}
    assert reporter.pseudonym.startswith("Warga-")
    assert len(reporter.pseudonym) == 12
    assert user.username.startswith("c-")
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert user.has_usable_password() is False
    assert vault.reveal(reporter=reporter) == {
        "name": "Siti Rahayu",
        "phone": PHONE,
        "email": "siti@example.id",
        "nik": None,
    }
    assert MemorySmsBackend.outbox[0]["to"] == PHONE
    assert MemorySmsBackend.outbox[0]["body"].startswith("Kode masuk Lapor Warga: ")  # id default
    me = APIClient()
    me.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert me.get("/api/v1/me/").json()["phone"] == PHONE


def test_the_verify_response_is_not_cached(api_client):
    _request(api_client)
    response = _verify(api_client, last_code())
    assert response["Cache-Control"] == "no-store"


def test_request_answers_the_same_whether_or_not_the_account_exists(api_client):
    citizen("+628111111111")

    known = _request(api_client, "+628111111111")
    unknown = _request(api_client, "+628222222222")

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json() == {"status": "sent", "expires_in": 300}
    assert len(MemorySmsBackend.outbox) == 2


def test_a_second_sign_in_finds_the_same_account_and_ignores_profile_fields(api_client):
    reporter = citizen(name="Siti Rahayu")

    body = sign_in(api_client, PHONE, name="Someone Else")

    assert body["reporter"]["pseudonym"] == reporter.pseudonym
    assert Reporter.objects.count() == 1
    assert vault.reveal(reporter=reporter, fields=["name"]) == {"name": "Siti Rahayu"}


def test_the_code_is_stored_hashed_and_the_phone_only_as_a_keyed_hash(api_client):
    _request(api_client)
    challenge = OtpChallenge.objects.get()
    code = last_code()
    assert code not in challenge.code_hash
    assert "8123456789" not in challenge.phone_digest
    assert len(challenge.phone_digest) == 64


def test_a_wrong_code_is_refused_and_counted(api_client):
    _request(api_client)
    wrong = "000000" if last_code() != "000000" else "111111"

    response = _verify(api_client, wrong)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "otp_invalid"
    assert OtpChallenge.objects.get().attempts == 1
    assert AuthToken.objects.count() == 0


def test_five_wrong_codes_lock_the_challenge_even_for_the_right_code(api_client):
    _request(api_client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    answers = [_verify(api_client, wrong).json()["error"]["code"] for _ in range(5)]
    right = _verify(api_client, code)

    assert answers == ["otp_invalid"] * 4 + ["otp_locked"]
    assert right.status_code == 429
    assert right.json()["error"]["code"] == "otp_locked"
    assert AuthToken.objects.count() == 0
    assert Reporter.objects.count() == 0


def test_an_expired_code_is_refused(api_client, monkeypatch):
    _request(api_client)
    code = last_code()
    _later(monkeypatch, timedelta(minutes=5, seconds=1))

    response = _verify(api_client, code)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "otp_expired"
    assert AuthToken.objects.count() == 0


def test_a_code_works_once(api_client):
    _request(api_client)
    code = last_code()
    assert _verify(api_client, code).status_code == 200

    again = _verify(api_client, code)

    assert again.status_code == 400
    assert again.json()["error"]["code"] == "otp_invalid"
    assert AuthToken.objects.count() == 1


def test_only_the_newest_code_counts(api_client):
    _request(api_client)
    first = last_code()
    _request(api_client)
    second = last_code()
    if first == second:
        pytest.skip("the two random codes happen to be equal")

    assert _verify(api_client, first).json()["error"]["code"] == "otp_invalid"
    assert _verify(api_client, second).status_code == 200


def test_a_code_for_one_number_does_not_sign_in_another(api_client):
    _request(api_client, "+628111111111")
    response = _verify(api_client, last_code(), phone="+628222222222")
    assert response.json()["error"]["code"] == "otp_invalid"


def test_send_flood_per_phone_is_throttled(api_client):
    codes = [_request(api_client).status_code for _ in range(4)]

    assert codes == [202, 202, 202, 429]
    refused = _request(api_client)
    assert refused.json()["error"]["code"] == "throttled"
    assert OtpChallenge.objects.count() == 3
    assert len(MemorySmsBackend.outbox) == 3


def test_the_per_phone_limit_counts_every_notation_of_the_number(api_client):
    forms = ["0812 3456 789", "+62-812-3456-789", "6281234567 89", fullwidth("08123456789")]
    assert [_request(api_client, form).status_code for form in forms] == [202, 202, 202, 429]


def test_the_send_window_passes(api_client, monkeypatch):
    for _ in range(3):
        _request(api_client)
    assert _request(api_client).status_code == 429

    _later(monkeypatch, timedelta(hours=1, seconds=1))

    assert _request(api_client).status_code == 202


def test_send_flood_per_ip_is_throttled(api_client, settings):
    settings.OTP_SENDS_PER_IP = 5
    phones = [f"+62812000000{n:02d}" for n in range(6)]

    codes = [_request(api_client, phone).status_code for phone in phones]

    assert codes == [202] * 5 + [429]
    assert len(MemorySmsBackend.outbox) == 5


def test_a_spoofed_x_forwarded_for_does_not_reset_the_ip_counter(api_client, settings):
    settings.OTP_SENDS_PER_IP = 3
    phones = [f"+62812000000{n:02d}" for n in range(5)]

    codes = [
        _request(api_client, phone, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code
        for n, phone in enumerate(phones)
    ]

    assert codes == [202, 202, 202, 429, 429]


def test_behind_one_proxy_only_the_address_the_proxy_saw_counts(api_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    settings.OTP_SENDS_PER_IP = 3
    phones = [f"+62812000000{n:02d}" for n in range(5)]

    # The client forges a first hop; the proxy appends the address it really saw.
    codes = [
        _request(
            api_client,
            phone,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
            REMOTE_ADDR="10.0.0.1",
        ).status_code
        for n, phone in enumerate(phones)
    ]
    other_client = _request(
        api_client, "+6281200000099", HTTP_X_FORWARDED_FOR="203.0.113.8", REMOTE_ADDR="10.0.0.1"
    )

    assert codes == [202, 202, 202, 429, 429]
    assert other_client.status_code == 202


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "abc",
        "12",
        "0812",
        "+14155552671",  # valid, but not an allowed country (SMS pumping)
        "021 5551234",  # a Jakarta landline cannot receive SMS
        "0812" + "9" * 60,
        "0812\x003456789",
    ],
)
def test_a_malformed_phone_is_a_400_field_error_and_sends_nothing(api_client, phone):
    response = _request(api_client, phone)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == ["phone"]
    assert OtpChallenge.objects.count() == 0
    assert MemorySmsBackend.outbox == []


def test_a_malformed_code_is_a_400_field_error(api_client):
    response = _verify(api_client, "12ab56")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["code"]


def test_an_sms_gateway_failure_is_a_503_that_quotes_no_number(api_client, settings, caplog):
    settings.SMS_BACKEND = "tests.identity.test_otp.FailingSms"

    response = _request(api_client)

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert "8123456789" not in response.content.decode()
    assert "8123456789" not in caplog.text


def test_logout_revokes_the_token(api_client):
    token = sign_in(api_client, PHONE)["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.post("/api/v1/auth/logout/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401
    assert client.post("/api/v1/auth/logout/").status_code == 401


def test_a_deactivated_users_token_is_401():
    reporter = citizen()
    client = client_for(reporter.user)
    User.objects.filter(pk=reporter.user_id).update(is_active=False)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_deactivated_account_cannot_sign_in_again(api_client):
    reporter = citizen()
    User.objects.filter(pk=reporter.user_id).update(is_active=False)
    _request(api_client)

    response = _verify(api_client, last_code())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "account_disabled"
    assert AuthToken.objects.count() == 0


def test_an_expired_token_is_401():
    reporter = citizen()
    client = client_for(reporter.user)
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    assert client.get("/api/v1/me/").status_code == 401


def test_a_garbage_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get("/api/v1/me/").status_code == 401


def test_old_challenges_are_purged(api_client, monkeypatch):
    from apps.identity.services import otp_purge

    _request(api_client)
    _later(monkeypatch, timedelta(days=1, seconds=1))
    assert otp_purge() == 1
    assert OtpChallenge.objects.count() == 0


def _codes(client: APIClient, count: int) -> list[str]:
    """Request ``count`` codes for PHONE; skip in the rare case two random codes are equal."""
    codes = []
    for _ in range(count):
        assert _request(client).status_code == 202
        codes.append(last_code())
    if len(set(codes)) != count:
        pytest.skip("two random codes happen to be equal")
    return codes


def test_a_superseded_code_stays_invalid_after_the_newest_was_used(api_client):
    first, second = _codes(api_client, 2)

    before = _verify(api_client, first)
    newest = _verify(api_client, second)
    after = _verify(api_client, first)

    assert (before.status_code, before.json()["error"]["code"]) == (400, "otp_invalid")
    assert newest.status_code == 200
    assert (after.status_code, after.json()["error"]["code"]) == (400, "otp_invalid")
    assert AuthToken.objects.count() == 1
    # the superseded code counted once as a wrong try on the newest, while that was open
    assert list(OtpChallenge.objects.order_by("id").values_list("attempts", flat=True)) == [0, 1]


def test_a_new_code_after_a_sign_in_works_and_older_ones_stay_invalid(api_client):
    first, second = _codes(api_client, 2)
    assert _verify(api_client, second).status_code == 200
    assert _request(api_client).status_code == 202
    third = last_code()
    if third in (first, second):
        pytest.skip("two random codes happen to be equal")

    signed_in = _verify(api_client, third)

    assert signed_in.status_code == 200
    assert signed_in.json()["reporter"]["pseudonym"] == Reporter.objects.get().pseudonym
    assert [_verify(api_client, code).json()["error"]["code"] for code in (first, second)] == [
        "otp_invalid",
        "otp_invalid",
    ]
    assert AuthToken.objects.count() == 2


def test_an_older_code_does_not_count_while_the_newest_is_locked(api_client):
    first, second = _codes(api_client, 2)
    wrong = next(f"{n:06d}" for n in range(10) if f"{n:06d}" not in (first, second))
    for _ in range(5):
        _verify(api_client, wrong)

    answers = [_verify(api_client, code) for code in (first, second)]

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (429, "otp_locked"),
        (429, "otp_locked"),
    ]
    assert AuthToken.objects.count() == 0


def test_an_older_code_does_not_count_once_the_newest_expired(api_client, monkeypatch):
    first, _second = _codes(api_client, 2)
    _later(monkeypatch, timedelta(minutes=5, seconds=1))

    response = _verify(api_client, first)

    assert (response.status_code, response.json()["error"]["code"]) == (400, "otp_expired")
    assert AuthToken.objects.count() == 0


# --- Retry-After on 429 (docs/api.md, error table) ----------------------------------------


def _at(monkeypatch: pytest.MonkeyPatch, moment) -> None:
    monkeypatch.setattr(timezone, "now", lambda: moment)


def test_throttled_says_when_the_oldest_counted_code_leaves_the_window(api_client, monkeypatch):
    start = timezone.now()
    for minutes in (0, 10, 20):
        _at(monkeypatch, start + timedelta(minutes=minutes))
        assert _request(api_client).status_code == 202

    _at(monkeypatch, start + timedelta(minutes=30))
    refused = _request(api_client)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    # the code sent at +0 leaves the one-hour window just after +60 min: 30 min from now
    assert refused["Retry-After"] == str(30 * 60 + 1)
    # once it has left, the code sent at +10 is the third newest: it decides the next wait
    _at(monkeypatch, start + timedelta(minutes=61))
    assert _request(api_client).status_code == 202
    _at(monkeypatch, start + timedelta(minutes=62))
    again = _request(api_client)
    assert (again.status_code, again["Retry-After"]) == (429, str(8 * 60 + 1))
    assert OtpChallenge.objects.count() == 4


def test_throttled_per_ip_carries_retry_after(api_client, settings, monkeypatch):
    settings.OTP_SENDS_PER_IP = 2
    start = timezone.now()
    _at(monkeypatch, start)
    assert _request(api_client, "+6281200000001").status_code == 202
    _at(monkeypatch, start + timedelta(minutes=5))
    assert _request(api_client, "+6281200000002").status_code == 202

    refused = _request(api_client, "+6281200000003")

    assert (refused.status_code, refused.json()["error"]["code"]) == (429, "throttled")
    assert refused["Retry-After"] == str(55 * 60 + 1)


def test_otp_locked_carries_retry_after_1_when_a_new_code_may_be_requested(api_client):
    _request(api_client)
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    answers = [_verify(api_client, wrong) for _ in range(5)]
    right = _verify(api_client, code)

    assert [a.status_code for a in answers] == [400] * 4 + [429]
    assert "Retry-After" not in answers[0]
    for locked in (answers[-1], right):
        assert locked.json()["error"]["code"] == "otp_locked"
        assert locked["Retry-After"] == "1"


def test_otp_locked_waits_for_the_send_limit_when_no_new_code_may_be_sent(api_client, monkeypatch):
    start = timezone.now()
    for minutes in (0, 1, 2):
        _at(monkeypatch, start + timedelta(minutes=minutes))
        assert _request(api_client).status_code == 202
    code = last_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    _at(monkeypatch, start + timedelta(minutes=3))

    answers = [_verify(api_client, wrong) for _ in range(5)]

    assert (answers[-1].status_code, answers[-1].json()["error"]["code"]) == (429, "otp_locked")
    # no new code before the first one leaves the window (57 min): verifying is pointless too
    assert answers[-1]["Retry-After"] == str(57 * 60 + 1)
    assert _request(api_client)["Retry-After"] == str(57 * 60 + 1)


@pytest.mark.parametrize(
    "phone",
    ["0812-9999-0502x", "0812 9999 0502 ext 5", "0812-WXYZ-0502", "0812999ABCDE"],
)
def test_letters_and_extensions_are_a_400_field_error_and_send_nothing(api_client, phone):
    response = _request(api_client, phone)

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", ["phone"])
    assert OtpChallenge.objects.count() == 0
    assert MemorySmsBackend.outbox == []


def test_arabic_indic_digits_sign_in_to_the_same_account(api_client):
    reporter = citizen()
    arabic_indic = "".join(chr(0x0660 + int(digit)) for digit in "08123456789")

    body = sign_in(api_client, arabic_indic)

    assert body["reporter"]["pseudonym"] == reporter.pseudonym
    assert MemorySmsBackend.outbox[-1]["to"] == PHONE


@pytest.mark.parametrize("phone", [8120000000.0, 81299990502])
def test_a_json_number_is_a_400_field_error(api_client, phone):
    response = _request(api_client, phone)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["phone"]
    assert OtpChallenge.objects.count() == 0
