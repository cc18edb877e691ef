"""The table printed after a run."""

from __future__ import annotations

from typing import Any


def _fmt(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.2f}" if abs(x) < 100 else f"{x:.0f}"
    return str(x)


BOTS = ("bot_botbuilder", "bot_agents")
ECHOS = ("echo_botbuilder", "echo_agents")


def _pair(res: dict[str, Any], key: str) -> str:
    """bot_botbuilder / bot_agents side by side."""
    return " / ".join(_fmt((res.get(bot) or {}).get(key)) for bot in BOTS)


def _side_by_side(what: str, res: dict[str, Any], keys: tuple[str, ...], note: str = "") -> list[tuple[str, str, str, str]]:
    """Both hosts against each echo floor: value "botbuilder / agents", the floor, ratio "botbuilder / agents"."""
    return [(f"{what} {k} bot_botbuilder / bot_agents vs {base}{note}", _pair(res, k), _fmt(res[base][k]),
             " / ".join(_fmt((res.get(f"ratio_{bot}_{base}") or {}).get(k)) for bot in BOTS))
            for base in ECHOS for k in keys]


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(what, value, baseline, ratio) rows."""
    out: list[tuple[str, str, str, str]] = []
    lat = results.get("latency", {})
    for mode, res in lat.get("hjelp", {}).items():
        out.extend(_side_by_side(f"hjelp {mode}", res, ("p50_ms", "p95_ms", "p99_ms")))
        out.append((f"hjelp {mode} rps (bot_botbuilder / bot_agents)", _pair(res, "rps"),
                    f"{_fmt(res['echo_botbuilder']['rps'])} / {_fmt(res['echo_agents']['rps'])}", ""))
    votes = lat.get("poll_vote")
    if isinstance(votes, dict) and "skipped" in votes:
        out.append(("poll vote invokes: skipped (no polls yet)", "-", "-", "-"))
    elif votes:
        for mode, res in votes.items():
            out.extend(_side_by_side(f"vote {mode}", res, ("p50_ms", "p99_ms"), " (hjelp)"))
            out.append((f"vote {mode} rps (bot_botbuilder / bot_agents)", _pair(res, "rps"), "", ""))
    for bot, cv in (lat.get("concurrent_voting") or {}).items():
        if cv and "skipped" not in cv:
            out.append((f"200 voters at once on {bot}: wall s / p99 ms", f"{_fmt(cv['wall_s'])} / {_fmt(cv['p99_ms'])}", "", ""))
            out.append((f"200 voters at once on {bot}: sent / counted in DB / equal",
                        f"{cv['votes_sent']} / {cv['votes_counted']} / {cv['equal']}", "", ""))
    if d := results.get("delivery"):
        out.append(("broadcast to 200 faggruppe chats, wall s vs min (200/50)", _fmt(d["wall_s"]), _fmt(d["theoretical_min_s"]),
                    _fmt(d["ratio_to_min"])))
        out.append(("broadcast 429s / delivered / doubled", f"{d['count_429']} / {d['delivered']} / {d['doubled']}", "", ""))
    if r := results.get("reminders"):
        out.append(("reminders 100 due, lateness p50 / p99 / max s",
                    f"{_fmt(r['lateness_p50_s'])} / {_fmt(r['lateness_p99_s'])} / {_fmt(r['lateness_max_s'])}",
                    f"floor {r['rate_limit_floor_p99_s']} / {r['rate_limit_floor_max_s']}", ""))
        out.append(("reminders beyond the 50/s floor p50 / p99 / max s",
                    " / ".join(_fmt(r[f"beyond_floor_{k}_s"]) for k in ("p50", "p99", "max")), "", ""))
        out.append(("reminders 429s / delivered / doubled", f"{r['count_429']} / {r['delivered']} / {r['doubled']}", "", ""))
    if s := results.get("startup"):
        out.append(("start-up to /healthz s, bot_botbuilder / bot_agents (vs echo_botbuilder)", _pair(s, "startup_s"),
                    _fmt(s["echo_botbuilder"]["startup_s"]), _pair(s, "startup_s_ratio_echo_botbuilder")))
        out.append(("RSS after start MB, bot_botbuilder / bot_agents (vs echo_botbuilder)", _pair(s, "rss_mb"),
                    _fmt(s["echo_botbuilder"]["rss_mb"]), _pair(s, "rss_mb_ratio_echo_botbuilder")))
    if m := results.get("memory"):
        out.append(("RSS after benchmarks MB, bot_botbuilder / bot_agents (vs echo_botbuilder)",
                    _pair(m, "rss_after_benchmarks_mb"), _fmt(m["echo_botbuilder"]["rss_after_benchmarks_mb"]),
                    _pair(m, "rss_after_benchmarks_mb_ratio_echo_botbuilder")))
    sc = results.get("scale", {})
    for backend in ("sqlite", "postgresql"):
        res = sc.get(backend)
        if not res:
            continue
        if "skipped" in res:
            out.append((f"scale {backend}: skipped (not reachable)", "-", "-", "-"))
            continue
        small, big = (str(x) for x in sc["sizes"])
        for op, g in res.get("growth", {}).items():
            out.append((f"scale {backend} {op} ms {big} vs {small}", _fmt(res[big]["ms"][op]), _fmt(res[small]["ms"][op]),
                        f"{_fmt(g['ratio'])} {g['verdict']}"))
    if d := results.get("documents"):
        for bp, ms in d["ms"].items():
            out.append((f"decision document {bp}, {d['entries']} entries, ms (target; CPU ms {d['cpu_ms'][bp]})",
                        _fmt(ms), _fmt(d["target_s"] * 1000), _fmt(ms / (d["target_s"] * 1000))))
    out.extend(_tab_rows(results.get("tab") or {}))
    return out


def _tab_rows(tab: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The leaders' tab: first view cold and warm against the 1 s target, API percentiles against /healthz."""
    out: list[tuple[str, str, str, str]] = []
    for backend in ("sqlite", "postgresql"):
        res = tab.get(backend)
        if not res:
            continue
        if "skipped" in res:
            out.append((f"tab {backend}: skipped (not reachable)", "-", "-", "-"))
            continue
        n, target = res["entries"], res["first_view_target_ms"]
        for mode in ("cold", "warm"):
            fv = res[f"first_view_{mode}"]
            out.append((f"tab {backend} {n} entries: register first view {mode} ms (HTML+me+API {_fmt(fv['html_ms'])}+"
                        f"{_fmt(fv['me_ms'])}+{_fmt(fv['api_ms'])}; target)", _fmt(fv["total_ms"]), _fmt(target),
                        _fmt(fv["total_ms"] / target)))
        api, floor = res["api"], res["healthz_p50_ms"]
        for k in ("p50_ms", "p95_ms", "p99_ms"):
            out.append((f"tab {backend} {n} entries: /api/tab/register {k} ({api['n']} mixed; vs /healthz p50)",
                        _fmt(api[k]), _fmt(floor), _fmt(api[k] / floor if floor else None)))
        by = api["p50_ms_by_query"]
        out.append((f"tab {backend} {n} entries: API p50 ms by query " + " / ".join(by), " / ".join(_fmt(v) for v in by.values()),
                    "", ""))
    return out


def print_table(results: dict[str, Any]) -> None:
    table = [("benchmark", "value", "baseline", "ratio"), *rows(results)]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    for i, r in enumerate(table):
        print("  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
