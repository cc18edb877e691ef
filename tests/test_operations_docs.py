"""docs/operations: the Grafana dashboard and the Prometheus rules parse, use only metrics the bot has, and alert as meant."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.ops.metrics import Metrics

OPS = Path(__file__).resolve().parents[1] / "docs" / "operations"
NAME = re.compile(r"\bfaggruppe_[a-z0-9_]+")


def exprs(node: Any) -> list[str]:
    """Every PromQL expression in a dashboard or rule file (keys expr, query, definition)."""
    if isinstance(node, dict):
        found = [v for k, v in node.items() if k in ("expr", "definition") and isinstance(v, str)]
        return found + [e for v in node.values() for e in exprs(v)]
    if isinstance(node, list):
        return [e for v in node for e in exprs(v)]
    return []


def used(texts: list[str]) -> set[str]:
    return {name for text in texts for name in NAME.findall(text)}


def families() -> set[str]:
    return {f.name for f in Metrics().registry.collect()}


def test_dashboard_is_grafana_json_over_existing_metrics():
    dash = json.loads((OPS / "grafana-dashboard.json").read_text())
    panels = [p for p in dash["panels"] if p["type"] != "row"]
    assert dash["uid"] and dash["schemaVersion"] >= 30 and len(panels) >= 15
    assert len({p["id"] for p in dash["panels"]}) == len(dash["panels"])
    assert all(p["targets"] and all(t["expr"] for t in p["targets"]) for p in panels)
    names = used(exprs(dash))
    unknown = names - Metrics().names()
    assert not unknown, f"the dashboard uses metrics the bot does not have: {unknown}"
    # Every metric family is on the dashboard (a new metric needs a panel).
    missing = {f for f in families() if not any(n == f or n.startswith(f + "_") for n in names)}
    assert not missing, missing


def test_alert_rules_parse_and_use_existing_metrics():
    rules = yaml.safe_load((OPS / "alerts.yml").read_text())
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert {"FaggruppeOutboxStuck", "FaggruppeRemindersLate", "FaggruppeTurnErrors"} <= set(alerts)
    assert all(r["labels"]["severity"] in ("warning", "critical") and r["annotations"]["summary"] for r in alerts.values())
    unknown = used(exprs(rules)) - Metrics().names()
    assert not unknown, unknown
    tests = yaml.safe_load((OPS / "alerts.test.yml").read_text())
    series = [s["series"] for t in tests["tests"] for s in t["input_series"]]
    assert not used(series) - Metrics().names()
    scrape = yaml.safe_load((OPS / "prometheus.yml").read_text())
    assert scrape["scrape_configs"][0]["metrics_path"] == "/metrics" and scrape["rule_files"] == ["alerts.yml"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (Debian package prometheus)")
def test_promtool_checks_the_rules_and_their_unit_tests():
    for args in (["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"]):
        done = subprocess.run(["promtool", *args], cwd=OPS, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
