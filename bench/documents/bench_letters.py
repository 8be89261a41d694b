"""Letter throughput: PDF/A letters per second, on one core and with two processes.

Renders N realistic letters (``mahnwerk.documents.examples``: all six kinds, 1–2 claims with
interest periods, costs, partial payments, § 13a notices, EPC QR code) with one reused
renderer per process. The statements are computed before the clock starts; the timed part is
what a letter run does per letter: validation, the QR code (``banking.epc_qr.qr_svg``),
template data and the typst compilation to PDF/A-2a. Reports the median of R runs, a split of
the time per letter, and the same batch through ``bundle()`` (files, hashes, manifest).

The one-core figure pins the process to one CPU (``sched_setaffinity``), so it really is per
core even though typst could use more threads. Usage::

    python bench/documents/bench_letters.py [--letters 300] [--runs 3]

Writes ``bench/results/letters.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import typst

from mahnwerk.banking.epc_qr import EpcTransfer, qr_svg
from mahnwerk.documents.bundle import bundle
from mahnwerk.documents.examples import example_letter
from mahnwerk.documents.letters import LetterData, Transfer, template_data, transfer_of
from mahnwerk.documents.render import LetterRenderer

RESULTS = Path(__file__).parents[1] / "results" / "letters.json"


def giro_code(t: Transfer) -> str:
    return qr_svg(EpcTransfer(t.name, t.iban, t.amount, t.remittance, bic=t.bic))


def pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu % (os.cpu_count() or 1)})


# ----------------------------------------------------------------- worker (two processes)

_renderer: LetterRenderer | None = None


def _init_worker(cpu: int | None) -> None:
    global _renderer
    _renderer = LetterRenderer(giro_code)
    _renderer.render(example_letter(0))  # warm: templates parsed, fonts loaded


def _render_range(bounds: tuple[int, int]) -> int:
    assert _renderer is not None
    start, stop = bounds
    letters = [example_letter(i) for i in range(start, stop)]
    t0 = time.perf_counter()
    size = 0
    for letter in letters:
        size += len(_renderer.render(letter))
    return int((time.perf_counter() - t0) * 1e9)


# ---------------------------------------------------------------------------- measures


def one_core(letters: list[LetterData], runs: int) -> dict:
    pin(0)
    renderer = LetterRenderer(giro_code)
    renderer.render(letters[0])
    timings, cpu, sizes = [], [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        pdfs = [renderer.render(letter) for letter in letters]
        timings.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        sizes = [len(p) for p in pdfs]
    median = statistics.median(timings)
    median_cpu = statistics.median(cpu)
    # where the time goes (one pass)
    t0 = time.perf_counter()
    svgs = [giro_code(transfer_of(letter)) for letter in letters]
    t_qr = time.perf_counter() - t0
    t0 = time.perf_counter()
    data = [
        json.dumps(template_data(letter, s), ensure_ascii=False)
        for letter, s in zip(letters, svgs, strict=True)
    ]
    t_data = time.perf_counter() - t0
    compiler = renderer._compiler  # the same warm compiler
    t0 = time.perf_counter()
    for d in data:
        compiler.compile(format="pdf", sys_inputs={"data": d}, pdf_standards="a-2a")
    t_typst = time.perf_counter() - t0
    n = len(letters)
    return {
        "runs_seconds": [round(t, 3) for t in timings],
        "median_seconds": round(median, 3),
        "letters_per_second": round(n / median, 1),
        "ms_per_letter": round(median / n * 1000, 2),
        "cpu_seconds": [round(t, 3) for t in cpu],
        "letters_per_cpu_second": round(n / median_cpu, 1),
        "split_ms_per_letter": {
            "epc_qr_svg": round(t_qr / n * 1000, 2),
            "template_data": round(t_data / n * 1000, 2),
            "typst_compile": round(t_typst / n * 1000, 2),
        },
        "avg_pdf_bytes": round(statistics.mean(sizes)),
    }


def two_processes(n: int, runs: int) -> dict:
    half = n // 2
    timings = []
    with ProcessPoolExecutor(2, initializer=_init_worker, initargs=(None,)) as pool:
        list(pool.map(_render_range, [(0, 2), (2, 4)]))  # make sure both workers are warm
        for _ in range(runs):
            t0 = time.perf_counter()
            list(pool.map(_render_range, [(0, half), (half, n)]))
            timings.append(time.perf_counter() - t0)
    median = statistics.median(timings)
    return {
        "runs_seconds": [round(t, 3) for t in timings],
        "median_seconds": round(median, 3),
        "letters_per_second": round(n / median, 1),
        "letters_per_second_per_process": round(n / median / 2, 1),
    }


def bundled(letters: list[LetterData]) -> dict:
    renderer = LetterRenderer(giro_code)
    renderer.render(letters[0])
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        entries = bundle(letters, renderer, Path(tmp) / "batch")
        seconds = time.perf_counter() - t0
    pages = sum(e.pages for e in entries)
    return {
        "seconds": round(seconds, 3),
        "letters_per_second": round(len(letters) / seconds, 1),
        "pages": pages,
        "pages_per_letter": round(pages / len(letters), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load_before = os.getloadavg()
    letters = [example_letter(i) for i in range(args.letters)]
    two = two_processes(args.letters, args.runs)  # before pinning this process
    one = one_core(letters, args.runs)
    bund = bundled(letters)
    result = {
        "benchmark": "letters (PDF/A-2a, DIN 5008, EPC QR) per second",
        "letters": args.letters,
        "runs": args.runs,
        "one_core": one,
        "two_processes": two,
        "bundle_one_core": bund,
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "typst_python": getattr(typst, "__version__", "?"),
            "platform": platform.platform(),
        },
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
