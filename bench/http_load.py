"""HTTP benchmark of the app under gunicorn (issues 3 and 4, "How we know").

    python bench/http_load.py                 # 10 s per route, 32 connections
    python bench/http_load.py --duration 3    # a quick smoke run

(Named http_load.py, not http.py: a bench/http.py would shadow the standard library's
``http`` package for every script in bench/, which Python runs with bench/ first on
sys.path.)

What it does, all in one run on this machine:

1. A temporary instance folder with its own SQLite database, migrated and seeded with
   the flask CLI (``flask --app wsgi db upgrade`` and ``seed``).
2. ``gunicorn -w 2 wsgi:app`` on a free 127.0.0.1 port, warmed up (each worker compiles
   the engines and loads the art on first use).
3. wrk (installed with apt-get when missing and allowed; otherwise a Python load
   generator, whose own cost lowers every figure) with 32 connections for --duration
   seconds on: GET /healthz (hello world), POST /api/products/ring/configure with the
   body the page sends after a click, and GET of a preview already drawn.
4. Cold renders through HTTP: for --cold new configurations per product, the first GET
   of its 800 px WebP (drawn, encoded, stored), one request at a time; the median.

Printed: req/s, p50/p99 latency, non-2xx responses and socket errors per route, and the
ratios configure/hello (target >= 25%) and preview/hello (target >= 30%). Nothing is
asserted: these are figures to read beside the baselines in
../shared/notes/machine-baselines.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# What the page posts after a shopper picks a gem on a ring well under way.
CONFIGURE_BODY = {
    "choices": {
        "metal": "gold18_rose",
        "band_width": "w4",
        "band_finish": "polished",
        "gem": "ruby",
        "cut": "oval",
        "carat": "ct_050",
        "setting": "solitaire",
        "ring_size": 54,
        "engraving": "Always yours",
    },
    "changed": "gem",
}
PRODUCTS = {"sneaker": "shoes", "chocolate-bar": "chocolate", "ring": "jewellery"}


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx: int
    socket_errors: int
    tool: str


# -- the server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def flask_cli(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def request(
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if data is not None else {}
        connection.request(method, path, body=data, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_up(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer /healthz in time")


# -- load generators -------------------------------------------------------------------


def ensure_wrk() -> str | None:
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("installing wrk with apt-get ...", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, **quiet).returncode:
        subprocess.run(["apt-get", "update", "-qq"], env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], env=env, **quiet)
    return shutil.which("wrk")


def lua_for(method: str, body: dict[str, Any] | None) -> str:
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(json.dumps(body))}")
        lines.append('wrk.headers["Content-Type"] = "application/json"')
    return "\n".join(lines) + "\n"


def _milliseconds(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(wrk: str, name: str, url: str, script: Path, connections: int, duration: int) -> Result:
    command = [
        wrk,
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    percentiles = {
        key: _milliseconds(value, unit)
        for key, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return Result(
        name,
        rate,
        percentiles["50"],
        percentiles["99"],
        total,
        int(non_2xx.group(1)) if non_2xx else 0,
        sum(int(n) for n in errors.groups()) if errors else 0,
        "wrk",
    )


def run_python(
    name: str,
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    connections: int,
    duration: int,
) -> Result:
    """The fallback load generator: one thread per keep-alive connection."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    latencies: list[list[float]] = [[] for _ in range(connections)]
    failures = [0] * connections
    errors = [0] * connections
    stop = time.monotonic() + duration

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                response.read()
            except OSError:
                errors[index] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=10)
                continue
            latencies[index].append(time.perf_counter() - started)
            if not 200 <= response.status < 300:
                failures[index] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    every = sorted(t for per in latencies for t in per)
    count = len(every)
    return Result(
        name,
        count / elapsed,
        every[count // 2] * 1000 if every else 0.0,
        every[min(count - 1, int(count * 0.99))] * 1000 if every else 0.0,
        count,
        sum(failures),
        sum(errors),
        "python",
    )


# -- the run -------------------------------------------------------------------------------


def new_configurations(count: int) -> dict[str, list[dict[str, Any]]]:
    """Random valid configurations per product, seeded (new to a fresh store)."""
    sys.path.insert(0, str(ROOT))
    from configurator.domain.engine import compile_catalog, load_catalog

    found: dict[str, list[dict[str, Any]]] = {}
    for slug, folder in PRODUCTS.items():
        engine = compile_catalog(load_catalog(ROOT / "catalog" / folder))
        configs: list[dict[str, Any]] = []
        seed = 5000
        while len(configs) < count:
            choices = engine.complete({}, "random", seed=seed)
            seed += 1
            if choices not in configs:
                configs.append(choices)
        found[slug] = configs
    return found


def cold_renders(port: int, count: int) -> dict[str, list[float]]:
    """Seconds for the first GET of each new configuration's 800 px WebP."""
    timings: dict[str, list[float]] = {}
    for slug, configs in new_configurations(count).items():
        timings[slug] = []
        for choices in configs:
            status, raw = request(
                port, "POST", f"/api/products/{slug}/configure", {"choices": choices}
            )
            url = json.loads(raw)["preview"] if status == 200 else None
            if not url:
                continue
            started = time.perf_counter()
            status, _ = request(port, "GET", url)
            elapsed = time.perf_counter() - started
            if status == 200:
                timings[slug].append(elapsed)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per route")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cold", type=int, default=20, help="new configurations per product")
    parser.add_argument("--python-load", action="store_true", help="do not use wrk")
    args = parser.parse_args()

    wrk = None if args.python_load else ensure_wrk()
    tool = "wrk" if wrk else "python threads (wrk unavailable: figures are lower bounds)"
    work = Path(tempfile.mkdtemp(prefix="atelier-bench-"))
    instance = work / "instance"
    env = {
        **os.environ,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'atelier.db'}",
        "SECRET_KEY": "bench-only-secret",
        "PYTHONDONTWRITEBYTECODE": "1",
        # 32 connections from one address are one very fast client: measure the app, not
        # the rate limits that would refuse it.
        "RATELIMIT_ENABLED": "0",
    }
    env.pop("REDIS_URL", None)
    server: subprocess.Popen[bytes] | None = None
    try:
        instance.mkdir(parents=True)
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "seed")
        port = free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"{HOST}:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
        )
        wait_until_up(port, server)
        base = f"http://{HOST}:{port}"

        status, raw = request(port, "POST", "/api/products/ring/configure", CONFIGURE_BODY)
        assert status == 200, raw[:300]
        preview = json.loads(raw)["preview"]
        status, image = request(port, "GET", preview)  # drawn once, then served as stored
        assert status == 200, image[:300]

        routes: list[tuple[str, str, str, dict[str, Any] | None]] = [
            ("hello (GET /healthz)", "GET", "/healthz", None),
            ("configure (POST ring)", "POST", "/api/products/ring/configure", CONFIGURE_BODY),
            ("cached preview (GET 800 webp)", "GET", preview, None),
        ]
        results: list[Result] = []
        for name, method, path, body in routes:
            if wrk:
                script = work / f"{len(results)}.lua"
                script.write_text(lua_for(method, body))
                # Warm-up: every worker compiles the engine and loads the art once.
                run_wrk(wrk, name, base + path, script, args.connections, 2)
                results.append(
                    run_wrk(wrk, name, base + path, script, args.connections, args.duration)
                )
            else:
                run_python(name, port, method, path, body, args.connections, 2)
                results.append(
                    run_python(name, port, method, path, body, args.connections, args.duration)
                )
        cold = cold_renders(port, args.cold)
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"gunicorn -w {args.workers} wsgi:app, {tool}, {args.connections} connections, "
        f"{args.duration} s per route; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {platform.machine()}"
    )
    print(
        f"{'route':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} "
        f"{'non-2xx':>8} {'sock err':>8}"
    )
    for r in results:
        print(
            f"{r.name:32} {r.requests_per_second:9.0f} {r.p50_ms:8.1f} {r.p99_ms:8.1f} "
            f"{r.requests:9d} {r.non_2xx:8d} {r.socket_errors:8d}"
        )
    hello, configure, cached = results
    for label, result, target in (("configure", configure, 25), ("preview", cached, 30)):
        ratio = 100 * result.requests_per_second / hello.requests_per_second
        verdict = "meets" if ratio >= target else "UNDER"
        print(f"{label}/hello: {ratio:5.1f}%  (target >= {target}%: {verdict})")
    print(f"cold 800 px WebP render through HTTP, {args.cold} new configurations per product:")
    everything = [t for per in cold.values() for t in per]
    for slug, times in cold.items():
        if times:
            print(f"  {slug:14} median {statistics.median(times) * 1000:6.1f} ms  (n={len(times)})")
    if everything:
        print(f"  {'all':14} median {statistics.median(everything) * 1000:6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
