"""`python -m bench.profile [-n 1000] [--what vote] [--host agents]`: profile faggruppe-bot answering `hjelp` (or votes).

Runs the bot under pyinstrument in its own process, drives n messages sequentially and n at 20 concurrent clients,
counts SQL statements per activity, then stops the bot; the report goes to bench/profile.txt (and .html).
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import aiohttp

from bench.hooks import poll_vote_activity
from bench.load import drive, message
from bench.procs import ConnectorProc, Proc, free_port
from bench.sections import bot_env

HERE = Path(__file__).resolve().parent


async def main(n: int, renderer: str, what: str = "hjelp", host: str = "botbuilder") -> None:
    suffix = ("" if what == "hjelp" else f"-{what}") + ("" if host == "botbuilder" else f"-{host}")
    out = HERE / f"profile{suffix}.{'txt' if renderer == 'text' else renderer}"
    connector = ConnectorProc()
    connector.start()
    (HERE.parent / "build").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-prof-") as tmp:
        port = free_port()
        args = ["-m", "pyinstrument", "--show-all", "-r", renderer, "-o", str(out), "-m", "bench.serve_bot"]
        bot = Proc("profiled-bot", args, port, bot_env(Path(tmp), "bot", port, host), HERE.parent / "build")
        try:
            await bot.start()
            make = message(connector.url, "hjelp")
            if what == "vote":
                made = await poll_vote_activity(bot.url, connector.url, connector.last, "19:bench-poll-1@thread.v2")
                assert made is not None, "could not create a poll"
                make = made
            await drive(bot.url, make, 60, 20)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{bot.url}/_bench/queries") as r:
                    q0 = (await r.json())["queries"]
                seq = await drive(bot.url, make, n, 1)
                async with http.get(f"{bot.url}/_bench/queries") as r:
                    q1 = (await r.json())["queries"]
            conc = await drive(bot.url, make, n, 20)
            print(f"sequential: {seq.summary()}")
            print(f"concurrent: {conc.summary()}")
            print(f"SQL statements per {what} (warm caches): {(q1 - q0) / n:.2f}")
        finally:
            bot.stop(timeout=120)
            connector.stop()
    print(f"profile written to {out}")


if __name__ == "__main__":
    p = argparse.ArgumentParser(prog="python -m bench.profile")
    p.add_argument("-n", type=int, default=1000)
    p.add_argument("--renderer", default="text", choices=["text", "html"])
    p.add_argument("--what", default="hjelp", choices=["hjelp", "vote"], help="`hjelp` messages or `poll.vote` invokes")
    p.add_argument("--host", default="botbuilder", choices=["botbuilder", "agents"], help="the chat host (BOT_HOST)")
    a = p.parse_args()
    asyncio.run(main(a.n, a.renderer, a.what, a.host))
