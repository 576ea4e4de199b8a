"""Serving personas over HTTP: ``persona serve`` under a fixed load, against the in-process floor.

    python benchmarks/serve.py [--rate 200] [--duration 20] [--concurrency 8]

Needs the artifact benchmarks/assign.py writes (benchmarks/_data/assign-20000/:
``assigner/`` and ``records.json``, whose "features" and "raw" records are one
customer's stored features, and 50 touchpoints + a survey + 5 readings).

For each record, a real server (``persona serve`` in a subprocess, one worker,
on 127.0.0.1) gets ``POST /v1/assign`` at a fixed rate for a fixed time, from
an asyncio + httpx load generator (keep-alive connections, at most
``--concurrency`` requests in flight; a request is sent at its scheduled time,
or as soon as a slot frees). Latency is measured by the client, from sending
to the whole response, so it includes the client's own work. A second server
runs the same app with the assignment moved to the threadpool (a ``def``
endpoint's behaviour) to compare the two. "in-process" is ``assign_persona``
called directly on the same records: the floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

FOLDER = Path(__file__).parent / "_data" / "assign-20000"


def _records() -> dict[str, dict]:
    def clean(value):  # records.json holds NaN for missing; JSON has null
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(json.loads((FOLDER / "records.json").read_text()))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(mode: str, port: int) -> subprocess.Popen:
    assigner = str(FOLDER / "assigner")
    if mode == "inline":
        command = [sys.executable, "-m", "persona", "serve", "--assigner", assigner,
                   "--port", str(port)]  # fmt: skip
    else:  # the same app, the assignment in the threadpool as a `def` endpoint runs it
        code = (
            "import uvicorn; from persona.serve import create_app; "
            f"uvicorn.run(create_app({assigner!r}, _threadpool=True), host='127.0.0.1', "
            f"port={port}, access_log=False, log_level='warning')"
        )
        command = [sys.executable, "-c", code]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    import httpx

    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"the {mode} server did not become ready")


async def _load(url: str, body: bytes, rate: float, duration: float, concurrency: int):
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    slots = asyncio.Semaphore(concurrency)
    latencies, errors = [], 0
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        for _ in range(20):  # warm the connections and the server
            await client.post(url, content=body, headers=headers)

        async def one() -> None:
            nonlocal errors
            async with slots:
                started = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - started)
                errors += not ok

        n = int(rate * duration)
        begun = time.perf_counter()
        tasks = []
        for i in range(n):
            delay = begun + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one()))
        await asyncio.gather(*tasks)
        wall = time.perf_counter() - begun
    return np.array(latencies) * 1000, errors, n / wall


def _in_process(record: dict, calls: int) -> np.ndarray:
    import persona

    assigner = persona.load_assigner(FOLDER / "assigner")
    persona.assign_persona(record, assigner)
    times = np.empty(calls)
    for i in range(calls):
        started = time.perf_counter()
        persona.assign_persona(record, assigner)
        times[i] = time.perf_counter() - started
    return times * 1000


def _row(route: str, record: str, ms: np.ndarray, throughput: float, errors: int) -> str:
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return (
        f"| {route} | {record} | {p50:.2f} | {p95:.2f} | {p99:.2f} | {ms.max():.1f} "
        f"| {throughput:.0f} | {errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0, help="requests per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight, at most")
    args = parser.parse_args()
    records = _records()
    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f}; {args.rate:.0f} requests/s for {args.duration:.0f} s,"
          f" at most {args.concurrency} in flight\n")  # fmt: skip
    print("| route | record | p50 ms | p95 ms | p99 ms | max ms | requests/s | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name in ("features", "raw"):
        ms = _in_process(records[name], 4_000)
        print(_row("in-process assign_persona", name, ms, 1000 / ms.mean(), 0), flush=True)
    for mode in ("inline", "threadpool"):
        port = _free_port()
        server = _start(mode, port)
        try:
            for name in ("features", "raw"):
                body = json.dumps(records[name]).encode()
                url = f"http://127.0.0.1:{port}/v1/assign"
                ms, errors, throughput = asyncio.run(
                    _load(url, body, args.rate, args.duration, args.concurrency)
                )
                label = "persona serve" if mode == "inline" else "threadpool (def endpoint)"
                print(_row(label, name, ms, throughput, errors), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
