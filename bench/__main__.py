"""`python -m bench [--quick]`: run every benchmark in one go, print a table, write bench/results.json.

Every figure comes with a baseline measured in the same run and the ratio to it; machines here are noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import documents, scale, sections, tab
from bench.report import print_table

OUT = Path(__file__).resolve().parent / "results.json"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="500 messages per run and 1k/3k data scale (about 1 minute)")
    p.add_argument("-n", type=int, default=0, help="messages per latency run (default 2000, 500 with --quick)")
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--only", default="", help="comma list of sections: startup,latency,delivery,reminders,scale,documents,tab")
    p.add_argument("--no-pg", action="store_true", help="skip PostgreSQL in the data-scale and tab sections")
    p.add_argument("--out", default=str(OUT))
    return p.parse_args(argv)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    n = args.n or (500 if args.quick else 2000)
    only = {s for s in args.only.split(",") if s}

    def want(section: str) -> bool:
        return not only or section in only

    results: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(), "quick": args.quick, "n": n,
        "concurrency": args.concurrency,
    }
    t0 = time.perf_counter()
    took: dict[str, float] = {}

    def lap(section: str, since: float) -> None:
        took[section] = round(time.perf_counter() - since, 1)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        if want("startup") or want("latency") or want("delivery") or want("reminders"):
            t = time.perf_counter()
            async with sections.Rig(work) as rig:  # each server starts once: start-up is timed here
                results["startup"] = rig.startup()
                lap("startup", t)
                if want("latency"):
                    t = time.perf_counter()
                    results["latency"] = await sections.latency(rig, n, args.concurrency)
                    lap("latency", t)
                if want("delivery"):
                    t = time.perf_counter()
                    results["delivery"] = await sections.delivery(rig, 200)
                    lap("delivery", t)
                if want("reminders"):
                    t = time.perf_counter()
                    results["reminders"] = await sections.reminders(rig, 100)
                    lap("reminders", t)
                results["memory"] = rig.memory()
        if want("scale"):
            t = time.perf_counter()
            sizes = (1000, 3000) if args.quick else (1000, 10000)
            results["scale"] = await scale.run(work, sizes, pg=not args.no_pg)
            lap("scale", t)
        if want("documents"):
            t = time.perf_counter()
            results["documents"] = await documents.run(work, 500)
            lap("documents", t)
        if want("tab"):
            t = time.perf_counter()
            results["tab"] = await tab.run(work, 1000 if args.quick else 10000, pg=not args.no_pg)
            lap("tab", t)
    results["section_s"] = took
    results["load_average"] = list(os.getloadavg())
    results["total_s"] = round(time.perf_counter() - t0, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    results = asyncio.run(run(args))
    Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_table(results)
    print(f"\nwrote {args.out} in {results['total_s']} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
