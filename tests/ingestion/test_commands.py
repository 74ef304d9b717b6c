"""The ``ingest`` command's contract: exit 0 when accepted, non-zero with row errors."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tca.orders.models import ParentOrder

GOOD = "order_id,symbol,side,quantity,arrival_time\nC1,AAA,BUY,10,2026-03-02T09:30:00\n"


@pytest.mark.django_db
def test_ingest_accepts_with_a_time_zone(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "o.csv"
    path.write_text(GOOD)
    call_command("ingest", "orders", str(path), "--tz", "America/New_York")
    assert "1 accepted" in capsys.readouterr().out
    # 09:30 in New York on 2 March 2026 (EST) is 14:30 UTC.
    assert ParentOrder.objects.get().arrival_ns == 1_772_461_800 * 10**9


@pytest.mark.django_db
def test_ingest_rejects_naive_times_without_a_zone(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "o.csv"
    path.write_text(GOOD)
    with pytest.raises(CommandError, match="rejected"):
        call_command("ingest", "orders", str(path))
    err = capsys.readouterr().err
    assert "line 2, column arrival_time" in err
    assert not ParentOrder.objects.exists()


def test_exit_status_of_the_real_command(tmp_path: Path) -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "tca.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TICK_STORE_URL": str(tmp_path / "ticks"),
        "PATH": "/usr/bin:/bin",
    }

    def manage(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # the process boundary is the contract being tested
            [sys.executable, "manage.py", *args],
            capture_output=True, text=True, check=False, env=env,
            cwd=Path(__file__).resolve().parents[2],
        )

    assert manage("migrate", "-v", "0").returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,symbol\nX,Y\n")
    result = manage("ingest", "orders", str(bad))
    assert result.returncode == 1
    assert "missing required column" in result.stderr
    assert "Traceback" not in result.stderr
    good = tmp_path / "good.csv"
    good.write_text(GOOD.replace("09:30:00", "14:30:00Z"))
    accepted = manage("ingest", "orders", str(good))
    assert accepted.returncode == 0, accepted.stderr
    assert "1 accepted, 0 duplicate(s)" in accepted.stdout
