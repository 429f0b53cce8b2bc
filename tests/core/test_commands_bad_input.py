"""Every management command answers bad or repeated input with a one-line CommandError.

``call_command`` raises ``CommandError`` where ``manage.py`` would print it and exit with 1;
anything else (a traceback) is a bug. Commands that read a file get a missing file, a
directory and a file that is not what they expect.
"""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def not_json(tmp_path: Path) -> Path:
    path = tmp_path / "broken.geojson"
    path.write_bytes(b"\xff\xfe not json {")
    return path


@pytest.fixture
def empty_fixtures(tmp_path: Path) -> Path:
    (tmp_path / "agencies.json").write_text('{"dinas": [{"nope": 1}]}', encoding="utf-8")
    return tmp_path


BAD = [
    ("generate_demo_data", "--reports", "0", "--days", "30"),
    ("generate_demo_data", "--reports", "5", "--days", "0"),
    ("generate_demo_data", "--reports", "5", "--days", "30", "--seed", "-3"),
    ("rotate_master_key", "--batch-size", "0"),
    ("rotate_master_key", "--batch-size", "-5"),
    ("rotate_blind_index", "--batch-size", "0"),
    ("sla_sweep", "--batch-size", "0"),
    ("sla_sweep", "--batch-size", "-1"),
    ("sla_clock_recompute", "LW-NOSUCH"),
    ("sync_holidays", "--years", "0"),
    ("sync_holidays", "--years", "99999"),
    ("sync_holidays", "--years", "2026", "1800"),
    ("create_open311_client", ""),
    ("create_open311_client", "x" * 500),
    ("load_areas", "/nonexistent/kelurahan.geojson"),
    ("load_areas", "/"),
    ("seed_reference_data", "--fixtures", "/nonexistent"),
    ("seed_triage_texts", "--file", "/nonexistent/triage_texts.json"),
    ("seed_triage_texts", "--file", "/"),
]


@pytest.mark.parametrize("args", BAD, ids=[" ".join(a)[:60] for a in BAD])
def test_bad_input_is_a_command_error(args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError) as excinfo:
        _run(*args)
    message = str(excinfo.value)
    assert message
    assert "\n" not in message.strip()
    assert "Traceback" not in message


def test_unparsable_files_are_command_errors(not_json: Path, empty_fixtures: Path) -> None:
    with pytest.raises(CommandError):
        _run("load_areas", str(not_json))
    with pytest.raises(CommandError):
        _run("seed_reference_data", "--fixtures", str(empty_fixtures))
    with pytest.raises(CommandError):
        _run("seed_triage_texts", "--file", str(not_json))
    unknown = empty_fixtures / "texts.json"
    unknown.write_text(
        '{"response_templates": [{"category": "nope", "purpose": "start", "title": "t",'
        ' "body": "b"}], "canned_reasons": []}',
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="unknown category 'nope'"):
        _run("seed_triage_texts", "--file", str(unknown))


def test_repeated_open311_client_is_a_command_error() -> None:
    _run("create_open311_client", "Aplikasi Warga")
    with pytest.raises(CommandError, match="already exists"):
        _run("create_open311_client", "Aplikasi Warga")


def test_demo_data_twice_with_one_seed_refuses_then_another_seed_adds() -> None:
    from apps.reports.models import Report

    _run("generate_demo_data", "--reports", "12", "--days", "30")
    assert Report.objects.count() == 12
    with pytest.raises(CommandError, match=r"seed 1 exist already; pass another --seed"):
        _run("generate_demo_data", "--reports", "12", "--days", "30")
    assert Report.objects.count() == 12  # nothing half-written
    _run("generate_demo_data", "--reports", "12", "--days", "30", "--seed", "2")
    assert Report.objects.count() == 24
    assert Report.objects.values("client_request_id").distinct().count() == 24


def test_repeated_reference_commands_are_idempotent() -> None:
    first = _run("seed_reference_data")
    assert _run("seed_reference_data") == first
    _run("sync_holidays", "--years", "2026")
    assert "0 created" in _run("sync_holidays", "--years", "2026")


def test_triage_texts_are_seeded_once_in_indonesian_and_edits_survive_a_rerun() -> None:
    from apps.accounts.models import Agency
    from apps.triage.models import CannedReason, ResponseTemplate

    assert "new" in _run("seed_triage_texts")
    templates, reasons = ResponseTemplate.objects.count(), CannedReason.objects.count()
    assert templates >= 10
    assert reasons == Agency.objects.count() * 8  # every unit gets the eight reasons
    assert set(ResponseTemplate.objects.values_list("purpose", flat=True)) == set(
        ResponseTemplate.Purpose.values
    )
    assert set(CannedReason.objects.values_list("purpose", flat=True)) == set(
        CannedReason.Purpose.values
    )
    assert ResponseTemplate.objects.filter(title="Petugas menuju lokasi").exists()
    edited = ResponseTemplate.objects.get(title="Petugas menuju lokasi")
    ResponseTemplate.objects.filter(pk=edited.pk).update(body="Teks unit sendiri", is_active=False)
    assert "response templates: 0 new; canned reasons: 0 new" in _run("seed_triage_texts")
    edited.refresh_from_db()
    assert (edited.body, edited.is_active) == ("Teks unit sendiri", False)
    assert (ResponseTemplate.objects.count(), CannedReason.objects.count()) == (templates, reasons)
