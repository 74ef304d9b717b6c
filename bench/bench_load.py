"""Latency of the served app under concurrent users (not a test).

    python bench/bench_load.py [--users 40 --spawn-rate 5 --run-time 120 --think 1,3]
                               [--quick] [--fresh]

The pages benchmark times one request at a time inside Django; this one serves
the app as production does (gunicorn, 2 sync workers, DEBUG off) on loopback and
drives it with headless locust (bench/locustfile.py), so queueing for a worker,
a database connection per request and two cores shared by the workers,
PostgreSQL and locust itself all show up. 3 of 4 simulated users are people in
the browser (they sign in through the login form, then read the overview, the
blotter and order pages), 1 of 4 is a script on the orders API with a DRF token;
each pauses 1-3 s between requests. They share 20 accounts (10 compliance,
every desk; 10 traders spread over the desks), created with the accounts
service and given tokens. A short run of the same users on the trivial
``/health/`` page comes first: the baseline of the ratios. Prints p50/p95/p99,
requests and errors per request type (from locust's ``--csv`` stats), the CPU
each side used, and whether the target holds: p95 under 300 ms for every
request type, no errors. ``--quick`` is a 20 s smoke run.

Data: the demo preset (about 3,200 orders, 150,000 fills, 1.2 million quotes,
20 days) loaded into the scratch database ``footprint_bench_load`` (or
``BENCH_DATABASE_URL``) by ``manage.py demo --preset demo --if-empty``: the
real ingest, TCA run and model training (about 40 s, once; later runs reuse
it, ``--fresh`` starts over), so every order page has its quotes, results and
a pre-trade prediction. The demo runs in a child process under
``tca.settings.local`` because only there do tasks run in-process (the test
settings expect a Celery worker). Accounts are made here and gunicorn serves
under ``tca.settings.test``, so both hash passwords the same (quick MD5: a
login measures the form, not PBKDF2). Static files are not requested (a
browser caches them). Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "load"
STORES = {
    "TICK_STORE_URL": OUT / "ticks",
    "MODEL_STORE_URL": OUT / "models",
    "REPORT_STORE_URL": OUT / "reports",
    "MEDIA_ROOT": OUT / "media",
}
for _name, _path in STORES.items():
    os.environ.setdefault(_name, str(_path))

from django_env import setup  # noqa: E402 (the environment above must come first)

DATABASE = "footprint_bench_load"
WORKERS = 2
TARGET_P95_MS = 300.0
N_COMPLIANCE, N_TRADERS = 10, 10
BASELINE = "/health/ (baseline)"


@dataclass(frozen=True)
class Row:
    """One line of locust's ``_stats.csv``."""

    name: str
    count: int
    failures: int
    p50: float
    p95: float
    p99: float
    rps: float


def _database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}")


def drop_everything() -> None:
    """``--fresh``: drop the scratch database and the stores, before Django connects."""
    import psycopg

    base, name = _database_url().rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for name in STORES:
        shutil.rmtree(os.environ[name], ignore_errors=True)


def load_demo() -> None:
    """The demo data set, through ``manage.py demo`` (a no-op once orders exist)."""
    from django.db import connection

    from tca.costs.models import CostResult
    from tca.orders.models import ParentOrder

    if ParentOrder.objects.exists():
        if not CostResult.objects.exists():
            raise SystemExit("orders without results (an interrupted load?): rerun with --fresh")
        name = connection.settings_dict["NAME"]
        print(f"Reusing {ParentOrder.objects.count():,} orders in {name}")
        return
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tca.settings.local",
        "DEBUG": "False",
        "CELERY_BROKER_URL": "",  # tasks in-process
    }
    log = OUT / "demo.log"
    print("Loading the demo preset (manage.py demo; about 40 s) ...", flush=True)
    t0 = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            [sys.executable, "manage.py", "demo", "--preset", "demo", "--if-empty"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"manage.py demo failed; see {log}:\n{_tail(log)}")
    print(
        f"  {ParentOrder.objects.count():,} orders with {CostResult.objects.count():,} results "
        f"in {time.perf_counter() - t0:.0f} s"
    )


def make_accounts(password: str) -> Path:
    """Compliance and trader accounts with tokens, and the order ids each desk may open."""
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from tca.accounts.roles import COMPLIANCE, TRADER
    from tca.accounts.services import roles_sync, user_create_with_role
    from tca.orders.models import ParentOrder

    roles_sync()
    desks = sorted(set(ParentOrder.objects.values_list("desk", flat=True)) - {""})
    people = [(f"load-compliance-{i}", COMPLIANCE, "") for i in range(N_COMPLIANCE)]
    people += [(f"load-trader-{i}", TRADER, desks[i % len(desks)]) for i in range(N_TRADERS)]
    accounts = []
    for username, role, desk in people:
        user = user_create_with_role(username=username, password=password, role=role, desk=desk)
        token, _ = Token.objects.get_or_create(user=user)
        accounts.append({"username": username, "desk": desk, "token": token.key})
    accounts.sort(key=lambda a: a["username"][-1])  # alternate roles in the round-robin
    orders = {"*": list(ParentOrder.objects.values_list("order_id", flat=True))}
    for desk in desks:
        orders[desk] = list(
            ParentOrder.objects.filter(desk=desk).values_list("order_id", flat=True)
        )
    path = OUT / "accounts.json"
    path.write_text(json.dumps({"password": password, "accounts": accounts, "orders": orders}))
    path.chmod(0o600)
    connection.close()  # the parent holds no connection during the run
    print(
        f"  {N_COMPLIANCE} compliance and {N_TRADERS} trader accounts "
        f"({len(desks)} desks: {', '.join(desks)})"
    )
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def start_gunicorn(port: int) -> subprocess.Popen[bytes]:
    """gunicorn with the benchmark's environment, ready once ``/health/`` answers."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tca.settings.test",
        "DEBUG": "False",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "FOOTPRINT_API_RATE_USER": "1000000/min",  # not throttled: measure the pages
        "LOG_LEVEL": "WARNING",
    }
    log = OUT / "gunicorn.log"
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "tca.wsgi:application", "-w", str(WORKERS)),
            *("-b", f"127.0.0.1:{port}", "--error-logfile", str(log)),
            "--no-control-socket",  # no socket in the home folder shared by parallel runs
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches this script only; it stops gunicorn
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited ({proc.returncode}); see {log}:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    stop(proc, "gunicorn")
    raise SystemExit(f"gunicorn did not answer /health/ within 60 s; see {log}")


def warm_up(port: int, accounts: Path, rounds: int = 4) -> None:
    """Every request type a few times before anything is measured, so both workers
    have done their first-use imports, template loads and query plans."""
    import re

    import requests

    bench = json.loads(accounts.read_text())
    account = next(a for a in bench["accounts"] if not a["desk"])
    host = f"http://127.0.0.1:{port}"
    with requests.Session() as session:
        form = session.get(f"{host}/accounts/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        login = session.post(
            f"{host}/accounts/login/",
            data={
                "username": account["username"],
                "password": bench["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": f"{host}/accounts/login/"},
            allow_redirects=False,
            timeout=30,
        )
        if login.status_code != 302:
            raise SystemExit(f"the benchmark account cannot sign in (HTTP {login.status_code})")
        order = bench["orders"]["*"][0]
        api = {"Authorization": f"Token {account['token']}"}
        for _ in range(rounds):
            for path, headers in (
                ("/", {}),
                ("/blotter/", {}),
                (f"/orders/{quote(order, safe='')}/", {}),
                ("/api/v1/orders/", api),
                ("/health/", {}),
            ):
                response = session.get(f"{host}{path}", headers=headers, timeout=60)
                if response.status_code != 200:
                    raise SystemExit(f"warm-up: {path} answered HTTP {response.status_code}")


def stop(proc: subprocess.Popen[bytes] | None, name: str, timeout: float = 30) -> None:
    """SIGTERM (gunicorn and locust both finish in-flight work), then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        print(f"  {name} ignored SIGTERM for {timeout:.0f} s; killing it", file=sys.stderr)
        proc.kill()
        proc.wait()


class Cpu:
    """CPU seconds used by gunicorn's workers, by locust and by the whole machine."""

    def __init__(self, gunicorn: subprocess.Popen[bytes]) -> None:
        import psutil

        self._master = psutil.Process(gunicorn.pid)
        self._workers: dict[int, float] = {}
        self._machine = self._busy()
        self._sample()
        self._start = dict(self._workers)

    @staticmethod
    def _busy() -> float:
        import psutil

        t = psutil.cpu_times()
        return t.user + t.system + getattr(t, "nice", 0.0) + getattr(t, "softirq", 0.0)

    def _sample(self) -> None:
        import psutil

        for worker in self._master.children():
            try:
                t = worker.cpu_times()
            except psutil.Error:
                continue
            self._workers[worker.pid] = t.user + t.system

    def workers(self) -> float:
        self._sample()
        return sum(v - self._start.get(pid, 0.0) for pid, v in self._workers.items())

    def machine(self) -> float:
        return self._busy() - self._machine


def run_locust(
    port: int,
    accounts: Path,
    classes: list[str],
    users: int,
    spawn_rate: float,
    seconds: int,
    prefix: str,
    think: str,
) -> tuple[list[Row], list[dict[str, str]], float]:
    """One headless locust run; its stats rows, failures and locust's own CPU seconds."""
    import psutil

    stem = OUT / prefix
    for old in OUT.glob(f"{prefix}_*.csv"):
        old.unlink()
    log = OUT / f"{prefix}.log"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(stem),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    env = {**os.environ, "BENCH_LOAD_ACCOUNTS": str(accounts), "BENCH_LOAD_THINK": think}
    proc = None
    with log.open("w") as out:
        try:
            proc = subprocess.Popen(
                command,
                cwd=OUT,  # no locust.conf or pyproject.toml of ours is read
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            usage = psutil.Process(proc.pid)
            cpu = 0.0
            while proc.poll() is None:
                try:
                    t = usage.cpu_times()
                    cpu = t.user + t.system
                except psutil.Error:
                    pass
                time.sleep(0.5)
        finally:
            stop(proc, "locust", timeout=20)
    stats = Path(f"{stem}_stats.csv")
    if not stats.is_file():  # exit code 1 only says some requests failed
        code = proc.returncode if proc else None
        raise SystemExit(f"locust wrote no stats (exit {code}); see {log}:\n{_tail(log)}")
    with Path(f"{stem}_failures.csv").open() as f:
        failures = list(csv.DictReader(f))
    return _rows(stats), failures, cpu


def _rows(path: Path) -> list[Row]:
    def number(value: str) -> float:
        return float(value) if value not in ("", "N/A") else float("nan")

    with path.open() as f:
        return [
            Row(
                name=r["Name"],
                count=int(r["Request Count"]),
                failures=int(r["Failure Count"]),
                p50=number(r["50%"]),
                p95=number(r["95%"]),
                p99=number(r["99%"]),
                rps=number(r["Requests/s"]),
            )
            for r in csv.DictReader(f)
        ]


def report(
    rows: list[Row],
    baseline: Row,
    failures: list[dict[str, str]],
    cpu: dict[str, float],
    seconds: int,
) -> bool:
    """Print the table; True when the target holds."""
    print(
        f"\n{'request':<26}{'requests':>9}{'errors':>8}{'req/s':>7}"
        f"{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'p95 × base':>11}"
    )

    def line(row: Row, label: str | None = None) -> None:
        ratio = row.p95 / baseline.p95 if baseline.p95 > 0 else float("nan")
        print(
            f"{label or row.name:<26}{row.count:>9,}{row.failures:>8,}{row.rps:>7.1f}"
            f"{row.p50:>8.0f}{row.p95:>8.0f}{row.p99:>8.0f}{ratio:>10.1f}×"
        )

    by_type = [r for r in rows if r.name != "Aggregated"]
    overall = next(r for r in rows if r.name == "Aggregated")
    for row in by_type:
        line(row)
    line(overall, "overall")
    line(baseline, "/health/ alone (before)")
    if failures:
        print("\nErrors:")
        for f in failures:
            print(f"  {f['Occurrences']:>6} × {f['Method']} {f['Name']}: {f['Error']}")
    print(
        f"\nCPU over the {seconds} s run, in cores of {os.cpu_count()}: gunicorn workers "
        f"{cpu['workers'] / seconds:.2f}, locust {cpu['locust'] / seconds:.2f}, whole machine "
        f"{cpu['machine'] / seconds:.2f} (the rest: PostgreSQL and others)"
    )
    print(
        f"Worker CPU per request: {1000 * cpu['workers'] / max(overall.count, 1):.1f} ms on "
        f"average; {WORKERS} sync workers serve {overall.rps:.1f} requests/s"
    )
    slow = [r.name for r in by_type if not r.p95 < TARGET_P95_MS]
    errors = overall.failures
    met = not slow and errors == 0
    verdict = "met" if met else "NOT met"
    why = []
    if slow:
        why.append(f"p95 over {TARGET_P95_MS:.0f} ms: {', '.join(slow)}")
    if errors:
        why.append(f"{errors:,} errors")
    print(
        f"\nTarget (p95 < {TARGET_P95_MS:.0f} ms for every request type, no errors): {verdict}"
        + (f" ({'; '.join(why)})" if why else "")
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=40, help="simulated users (default 40)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--run-time", type=int, default=120, help="seconds of load (default 120)")
    parser.add_argument("--baseline-time", type=int, default=20, help="seconds of /health/")
    parser.add_argument(
        "--think", default="1,3", help="MIN,MAX seconds a user pauses between requests"
    )
    parser.add_argument("--quick", action="store_true", help="a 20 s smoke run")
    parser.add_argument("--fresh", action="store_true", help="reload the data from scratch")
    args = parser.parse_args()
    if args.quick:
        args.run_time, args.baseline_time = 15, 5
    # Both end in the finally below, which stops gunicorn and locust (in their own
    # sessions, so a Ctrl-C reaches only this process).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    OUT.mkdir(parents=True, exist_ok=True)
    if args.fresh:
        drop_everything()
    setup(DATABASE)
    load_demo()
    accounts = make_accounts(secrets.token_urlsafe(12))
    port = _free_port()
    gunicorn = None
    try:
        gunicorn = start_gunicorn(port)
        warm_up(port, accounts)
        print(
            f"gunicorn -w {WORKERS} on 127.0.0.1:{port}; {args.users} users "
            f"(spawn {args.spawn_rate:g}/s, {args.think.replace(',', '-')} s pauses): "
            f"{args.baseline_time} s on /health/, then "
            f"{args.run_time} s on the pages and the API",
            flush=True,
        )
        base_rows, _, _ = run_locust(
            port,
            accounts,
            ["HealthUser"],
            args.users,
            args.spawn_rate,
            args.baseline_time,
            "baseline",
            args.think,
        )
        baseline = next(r for r in base_rows if r.name == BASELINE)
        cpu = Cpu(gunicorn)
        t0 = time.monotonic()
        rows, failures, locust_cpu = run_locust(
            port,
            accounts,
            ["PageUser", "ApiUser"],
            args.users,
            args.spawn_rate,
            args.run_time,
            "load",
            args.think,
        )
        usage = {"workers": cpu.workers(), "locust": locust_cpu, "machine": cpu.machine()}
        elapsed = round(time.monotonic() - t0)
    finally:
        stop(gunicorn, "gunicorn")
    report(rows, baseline, failures, usage, elapsed)
    print(f"(locust and gunicorn logs, CSV stats: {OUT.relative_to(ROOT)}/)")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("\ninterrupted; gunicorn and locust stopped", file=sys.stderr)
        sys.exit(130)
