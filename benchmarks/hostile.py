"""Does persona serve keep answering while a client sends the worst requests its limits allow?

    python benchmarks/hostile.py [--seconds 20] [--repeat 3]

A real `persona serve` process (uvicorn, one worker, default limits) serves an assigner
fitted here on a synthetic base. One client polls `/healthz` every 20 ms, first alone, then
while a second client sends, back to back and for `--seconds`, the heaviest bodies the
default limits let through:

- **text**: one record whose emotion readings are English texts of `max_text_chars`
  (10,000) characters each, as many as the 8 MiB body limit holds (text scoring is about
  1.3 us per character, benchmarks/text.py, so seconds of work per request);
- **empty events**: 100,000 empty touchpoints (400 KB), which took 16 s to refuse before
  count limits applied ahead of item validation;
- **a full batch**: 1,000 records of 10 touchpoints each.

It prints the `/healthz` latency (median, p99, max) in each phase, and each hostile
request's status and median time. Needs the serve extra and httpx (`pip install -e
'.[test]'`). The result table is committed in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from persona import PersonaModel
from persona.datasets import make_customers

EVENT = {"timestamp": "2025-10-01T10:00:00", "channel": "web", "event_type": "product_view"}
SENTENCE = "The delivery was late but the product is great, and support answered fast. "


def _texts(request: int) -> bytes:
    """As many readings of 10,000 characters as 8 MiB holds, none seen before: persona
    scores each distinct text once and remembers the last 4,096 it scored."""
    text = (SENTENCE * (10_000 // len(SENTENCE) + 1))[: 10_000 - 16]
    size = len(json.dumps({"text": "0" * 16 + text, "language": "en"})) + 1
    fits = (8 * 1024 * 1024 - 200) // size
    readings = ",".join(
        json.dumps({"text": f"{request:08d}{i:08d}{text}", "language": "en"}) for i in range(fits)
    )
    return ('{"customer_id": 1, "emotions": [' + readings + "]}").encode()


def _bodies() -> dict[str, object]:
    empty = json.dumps({"customer_id": 1, "events": [{}] * 100_000})
    batch = json.dumps(
        {"records": [{"customer_id": i, "events": [EVENT] * 10} for i in range(1_000)]}
    )
    return {"text": _texts, "empty events": empty.encode(), "a full batch": batch.encode()}


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The poller runs in a process of its own: in a thread beside the hostile client, it would
# measure this process's GIL as much as the server.
POLL = """
import json, sys, time
import httpx
base, seconds = sys.argv[1], float(sys.argv[2])
latencies, deadline = [], time.monotonic() + seconds
with httpx.Client(base_url=base, timeout=30) as client:
    while time.monotonic() < deadline:
        started = time.perf_counter()
        client.get("/healthz").raise_for_status()
        latencies.append(time.perf_counter() - started)
        time.sleep(0.02)
print(json.dumps(latencies))
"""


def _summary(latencies: list[float]) -> str:
    ms = np.array(latencies) * 1e3
    return (
        f"{np.median(ms):.1f} ms | {np.percentile(ms, 99):.1f} ms | {ms.max():.1f} ms | {len(ms)}"
    )


def _phase(base: str, seconds: float, body) -> tuple[list[float], list, list]:
    """``body``: None (idle), the bytes to send again and again, or a function of the
    request's number that makes each body."""
    poller = subprocess.Popen(
        [sys.executable, "-c", POLL, base, str(seconds)], stdout=subprocess.PIPE, text=True
    )
    statuses, times = [], []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=120) as client:
        while time.monotonic() < deadline:
            if body is None:
                time.sleep(0.1)
                continue
            sent = body(len(times)) if callable(body) else body
            path = "/v1/assign/batch" if sent.startswith(b'{"records"') else "/v1/assign"
            started = time.perf_counter()
            response = client.post(path, content=sent,
                                   headers={"content-type": "application/json"})  # fmt: skip
            times.append(time.perf_counter() - started)
            statuses.append(response.status_code)
    out, _ = poller.communicate(timeout=seconds + 120)
    return json.loads(out), statuses, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--customers", type=int, default=3_000)
    args = parser.parse_args()
    data = make_customers(n_customers=args.customers, random_state=0)
    model = PersonaModel(instrument=data.instrument, random_state=0).fit(data)
    folder = Path(tempfile.mkdtemp()) / "assigner"
    model.export_assigner(folder)
    port = _port()
    server = subprocess.Popen(
        [sys.executable, "-m", "persona", "serve", "--assigner", str(folder), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        print(f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
              f"{args.seconds:g} s per phase, persona serve with its default limits")  # fmt: skip
        print("\n| while the other client sends | /healthz p50 | p99 | max | polls "
              "| hostile status | hostile median |")  # fmt: skip
        print("|---|---:|---:|---:|---:|---|---:|")
        latencies, _, _ = _phase(base, args.seconds, None)
        print(f"| nothing | {_summary(latencies)} | | |")
        # The control: no request at all, but another process busy on a core, as the
        # hostile phases keep the server busy on one. What this phase shows is the machine's.
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        try:
            latencies, _, _ = _phase(base, args.seconds, None)
        finally:
            busy.kill()
        print(f"| nothing, a busy process beside | {_summary(latencies)} | | |")
        for name, body in _bodies().items():
            latencies, statuses, times = _phase(base, args.seconds, body)
            codes = ", ".join(f"{c} x{statuses.count(c)}" for c in sorted(set(statuses)))
            size = f"{len(body(0) if callable(body) else body) / 2**20:.1f} MiB"
            print(f"| {name} ({size}) | {_summary(latencies)} | {codes} "
                  f"| {statistics.median(times) * 1e3:,.0f} ms |")  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
