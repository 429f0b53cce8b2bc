"""Master-key re-wrap and blind-index v1 → v2 (quality rows 10 and 14)."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.identity import services, vault
from apps.identity.errors import IdentityKeyUnavailable
from apps.identity.models import BlindIndex, ReporterKey
from tests.identity.factories import citizen, new_key, sign_in

pytestmark = pytest.mark.django_db

K1, K2 = new_key(), new_key()
I1, I2 = new_key(), new_key()


def _run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, "--quiet", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_new_data_keys_use_the_newest_master_key_and_old_rows_stay_readable(settings):
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1}"
    old = citizen("+628111111111")
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1},k2:{K2}"
    new = citizen("+628222222222")

    assert ReporterKey.objects.get(pk=old.pk).kid == "k1"
    assert ReporterKey.objects.get(pk=new.pk).kid == "k2"
    assert vault.reveal(reporter=old, fields=["phone"]) == {"phone": "+628111111111"}
    assert vault.find_reporter(field="phone", value="+628111111111") == old


def test_rotate_master_key_rewraps_in_batches_and_is_idempotent(settings):
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1}"
    reporters = [citizen(f"+62811111111{n}") for n in range(3)]
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1},k2:{K2}"

    first = _run("rotate_master_key", "--batch-size", "2")
    again = _run("rotate_master_key")

    assert "3 data key(s) to re-wrap" in first
    assert "re-wrapped 3" in first
    assert "0 data key(s) to re-wrap" in again
    assert "re-wrapped 0" in again
    assert set(ReporterKey.objects.values_list("kid", flat=True)) == {"k2"}
    settings.IDENTITY_MASTER_KEYS = f"k2:{K2}"  # the old key can go now
    assert [vault.reveal(reporter=r, fields=["phone"])["phone"] for r in reporters] == [
        "+628111111110",
        "+628111111111",
        "+628111111112",
    ]


def test_an_interrupted_rotation_resumes_where_it_stopped(settings):
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1}"
    for n in range(4):
        citizen(f"+62811111111{n}")
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1},k2:{K2}"

    def crash(_done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        services.master_key_rotate(batch_size=2, progress=crash)
    assert services.master_key_rotation_pending() == 2

    assert services.master_key_rotate(batch_size=2) == 2
    assert services.master_key_rotation_pending() == 0


def test_removing_an_old_master_key_too_early_fails_loudly_listing_the_reporters(settings):
    settings.IDENTITY_MASTER_KEYS = f"k1:{K1}"
    a, b = citizen("+628111111111"), citizen("+628222222222")
    settings.IDENTITY_MASTER_KEYS = f"k2:{K2}"

    with pytest.raises(IdentityKeyUnavailable) as on_read:
        vault.reveal(reporter=a, fields=["phone"])
    with pytest.raises(CommandError) as on_rotate:
        _run("rotate_master_key")

    assert on_read.value.reporter_ids == [a.pk]
    assert str(on_rotate.value) == (
        "master key id 'k1' is not configured (IDENTITY_MASTER_KEYS); "
        f"affected reporter ids: {a.pk}, {b.pk}"
    )
    assert set(ReporterKey.objects.values_list("kid", flat=True)) == {"k1"}  # nothing changed


def test_blind_index_v1_to_v2_lookups_work_mid_migration(settings, api_client):
    settings.IDENTITY_BLIND_INDEX_KEYS = f"1:{I1}"
    before = citizen("+628111111111", email="before@example.id")
    settings.IDENTITY_BLIND_INDEX_KEYS = f"1:{I1},2:{I2}"
    during = citizen("+628222222222", email="during@example.id")

    def versions(reporter):
        return sorted(
            BlindIndex.objects.filter(reporter=reporter, field="phone").values_list(
                "version", flat=True
            )
        )

    assert (versions(before), versions(during)) == ([1], [1, 2])
    assert vault.find_reporter(field="phone", value="+628111111111") == before
    assert vault.find_reporter(field="email", value="during@example.id") == during
    assert sign_in(api_client, "+628111111111")["reporter"]["pseudonym"] == before.pseudonym

    out = _run("rotate_blind_index", "--batch-size", "1")

    assert "wrote 2 index row(s) of version 2" in out  # phone + e-mail of `before`
    assert versions(before) == [1, 2]
    assert "wrote 0" in _run("rotate_blind_index")  # idempotent


def test_drop_old_refuses_before_backfill_and_works_after(settings):
    settings.IDENTITY_BLIND_INDEX_KEYS = f"1:{I1}"
    reporter = citizen("+628111111111", email=None)
    settings.IDENTITY_BLIND_INDEX_KEYS = f"1:{I1},2:{I2}"

    with pytest.raises(CommandError, match=f"ids: {reporter.pk}"):
        _run("rotate_blind_index", "--drop-old")
    assert BlindIndex.objects.filter(version=1).count() == 1

    _run("rotate_blind_index")
    assert "dropped 1 old index row(s)" in _run("rotate_blind_index", "--drop-old")

    settings.IDENTITY_BLIND_INDEX_KEYS = f"2:{I2}"
    assert list(BlindIndex.objects.values_list("version", flat=True)) == [2]
    assert vault.find_reporter(field="phone", value="+628111111111") == reporter
