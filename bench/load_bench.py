"""Load benchmark: N concurrent sessions against a local app server, over Streamlit's websocket.

Starts `python -m ui.serve` on 127.0.0.1 (loopback only), then for each phase drives N sessions
that each rerun a page (send a `rerun_script` BackMsg, wait for `script_finished`) every ~5 s of
think time for a bounded duration. Prints rerun latency p50/p95, errors (exception elements,
error alerts, failed runs, disconnects) and the server's peak RSS including its children. The
last phase adds one Playwright browser that uploads a zip bomb on the Data page while the other
users keep working. Everything is bounded in count and time and stops by itself.

    .venv/bin/python bench/load_bench.py [--users 20 40] [--seconds 45] [--no-bomb]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("", "economics", "segments", "best", "tiers", "data")  # url paths; "" is Overview
THINK_SECONDS = 5.0
RERUN_TIMEOUT = 60.0
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, workspace: Path, log: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "ui.serve", "--server.port", str(port)]
    args += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    env = {**os.environ, "RIGHTFIT_WORKSPACE": str(workspace)}
    server = subprocess.Popen(
        args, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit(f"server did not start:\n{log.read_text()[-2000:]}")


def tree_rss_bytes(pid: int) -> int:
    """VmRSS of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo += children.get(current, [])
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def watch_memory(pid: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(0.5):
        peak[0] = max(peak[0], tree_rss_bytes(pid))


def rerun_message(page: str) -> bytes:
    message = BackMsg()
    message.rerun_script.query_string = ""
    message.rerun_script.page_name = page
    return message.SerializeToString()


def problems(message: ForwardMsg) -> list[str]:
    """What a user would see as a failure in one forward message."""
    kind = message.WhichOneof("type")
    if kind == "page_not_found":
        return ["page not found"]
    if kind != "delta" or message.delta.WhichOneof("type") != "new_element":
        return []
    element = message.delta.new_element
    if element.WhichOneof("type") == "exception":
        return [f"exception: {element.exception.message[:80]}"]
    if element.WhichOneof("type") == "alert" and element.alert.format == 1:  # ERROR
        return [f"error: {element.alert.body[:80]}"]
    return []


async def rerun(ws, page: str, tally: Tally) -> None:
    started = time.perf_counter()
    await ws.send(rerun_message(page))
    while True:
        raw = await asyncio.wait_for(ws.recv(), RERUN_TIMEOUT)
        message = ForwardMsg()
        message.ParseFromString(raw)
        tally.errors += problems(message)
        if message.WhichOneof("type") == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
            if status == "FINISHED_SUCCESSFULLY":
                tally.latencies.append(time.perf_counter() - started)
                return
            if status not in ("FINISHED_EARLY_FOR_RERUN", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"):
                tally.errors.append(status)
                return


async def user(port: int, seed: int, until: float, tally: Tally) -> None:
    rng = random.Random(seed)
    url = f"ws://127.0.0.1:{port}/_stcore/stream"
    try:
        async with websockets.connect(
            url,
            subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{port}",
            max_size=2**28,
            open_timeout=30,
        ) as ws:
            await asyncio.sleep(rng.uniform(0, THINK_SECONDS))
            while time.monotonic() < until:
                await rerun(ws, rng.choice(PAGES), tally)
                await asyncio.sleep(rng.uniform(0.5, 1.5) * THINK_SECONDS)
    except (OSError, TimeoutError, websockets.WebSocketException) as error:
        tally.errors.append(f"disconnect: {type(error).__name__} {error}"[:120])


def zip_bomb() -> bytes:
    """A tiny xlsx whose members inflate to far more than any upload may use."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b"\0" * 2**24
            for _ in range(64):  # 1 GiB of zeros, about 1 MB compressed
                sheet.write(chunk)
    return buffer.getvalue()


def upload_bomb(port: int, until: float, outcome: list[str]) -> None:
    """One browser uploads the zip bomb on the Data page and reads what the app says."""
    from playwright.sync_api import sync_playwright

    bomb = zip_bomb()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/data", timeout=60_000)
            page.locator("input[type=file]").set_input_files(
                {"name": "bomb.xlsx", "mimeType": "application/zip", "buffer": bomb}
            )
            started = time.perf_counter()
            alert = page.get_by_text("zip bomb").or_(page.get_by_text("more memory")).first
            alert.wait_for(timeout=max(1_000, (until - time.monotonic()) * 1000))
            took = time.perf_counter() - started
            outcome.append(f"{len(bomb) / 2**20:.1f} MB bomb rejected in {took:.1f} s")
            outcome.append(f"message: {alert.inner_text()[:160]}")
        except Exception as error:  # a bench reports, never crashes half-way
            outcome.append(f"bomb upload did not finish: {type(error).__name__}: {error}"[:200])
        finally:
            browser.close()


async def phase(port: int, users: int, seconds: float) -> Tally:
    tally = Tally()
    until = time.monotonic() + seconds
    await asyncio.gather(*(user(port, seed, until, tally) for seed in range(users)))
    return tally


def report(name: str, tally: Tally, peak: int) -> Tally:
    lat = sorted(tally.latencies)
    p50 = statistics.median(lat) if lat else float("nan")
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    print(
        f"{name:<28} reruns {len(lat):>4}  p50 {p50:5.2f} s  p95 {p95:5.2f} s  "
        f"errors {len(tally.errors):>3}  server RSS peak {peak / 2**20:,.0f} MB",
        flush=True,
    )
    for error in sorted(set(tally.errors))[:5]:
        print(f"    {error}")
    return tally


def run_phase(port: int, pid: int, users: int, seconds: float, bomb: bool) -> None:
    stop, peak = threading.Event(), [tree_rss_bytes(pid)]
    watcher = threading.Thread(target=watch_memory, args=(pid, stop, peak), daemon=True)
    watcher.start()
    outcome: list[str] = []
    uploader = None
    if bomb:
        until = time.monotonic() + seconds
        uploader = threading.Thread(target=upload_bomb, args=(port, until, outcome), daemon=True)
        uploader.start()
    tally = asyncio.run(phase(port, users, seconds))
    if uploader is not None:
        uploader.join(timeout=60)
    stop.set()
    watcher.join()
    name = f"{users} users" + (" + zip-bomb upload" if bomb else "")
    report(name, tally, peak[0])
    for line in outcome:
        print(f"    {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[20, 40])
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--no-bomb", action="store_true")
    parser.add_argument(
        "--log", type=Path, help="keep the server's log here (tracebacks of errors)"
    )
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server = start_server(port, Path(tmp) / "workspace", Path(tmp) / "server.log")
        try:
            print(f"server pid {server.pid} on 127.0.0.1:{port}; think time {THINK_SECONDS} s")
            asyncio.run(phase(port, 2, 8))  # warm the caches: the first visitor pays for them
            for users in args.users:
                run_phase(port, server.pid, users, args.seconds, bomb=False)
            if not args.no_bomb:
                run_phase(port, server.pid, min(args.users), args.seconds, bomb=True)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
            if args.log:
                shutil.copyfile(Path(tmp) / "server.log", args.log)


if __name__ == "__main__":
    main()
