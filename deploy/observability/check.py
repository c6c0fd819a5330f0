#!/usr/bin/env python3
"""Checks the Prometheus alert rules and the Grafana dashboard offline.

  - promtool check rules: the rules file is valid and every expression parses;
  - promtool test rules: the unit tests next to it pass (when a test file is given);
  - the dashboard is valid JSON with a uid, a title, unique panel ids, a datasource and targets on
    every panel; every expression parses (as a recording rule, through promtool, with Grafana's
    variables substituted);
  - every marketplace_* name in the rules and the dashboard is one of metric-names.txt (a histogram
    also as _bucket, _sum, _count), and every metric of that list is shown on the dashboard.

usage: check.py [--rules FILE] [--rules-test FILE] [--dashboard FILE] [--names FILE]
       (defaults: the files next to this script). Exit 0 when everything holds, 1 otherwise.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__interval": "1m",
    "$__range": "1h",
    "${service}": ".*",
    "$service": ".*",
}


def load_names(path):
    names = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                name, kind = line.split()
                names[name] = kind
    return names


def allowed_series(names):
    allowed = {}
    for name, kind in names.items():
        allowed[name] = name
        if kind == "histogram":
            for suffix in ("_bucket", "_sum", "_count"):
                allowed[name + suffix] = name
    return allowed


def metric_tokens(expr):
    return set(re.findall(r"\bmarketplace_[a-z0-9_]+\b", expr))


def promtool(*args):
    result = subprocess.run(["promtool", *args], capture_output=True, text=True)
    return result.returncode, (result.stdout + result.stderr).strip()


def dashboard_exprs(dashboard, problems):
    """(where, expr) of every query: panels (also inside rows) and query variables."""
    exprs = []
    seen_ids = set()

    def visit(panels, where):
        for panel in panels:
            pid = panel.get("id")
            title = panel.get("title", "?")
            here = f"{where}panel {pid} '{title}'"
            if pid in seen_ids:
                problems.append(f"{here}: duplicate panel id {pid}")
            seen_ids.add(pid)
            if "gridPos" not in panel:
                problems.append(f"{here}: gridPos is missing")
            if panel.get("type") == "row":
                visit(panel.get("panels", []), where)
                continue
            if not panel.get("datasource"):
                problems.append(f"{here}: datasource is missing")
            targets = panel.get("targets") or []
            if not targets:
                problems.append(f"{here}: targets: no query")
            for target in targets:
                expr = (target.get("expr") or "").strip()
                if not expr:
                    problems.append(f"{here}: targets[{target.get('refId', '?')}].expr is empty")
                else:
                    exprs.append((f"{here} target {target.get('refId', '?')}", expr))

    visit(dashboard.get("panels", []), "")
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("query")
            query = query.get("query") if isinstance(query, dict) else query
            match = re.fullmatch(r"label_values\((.+),\s*\w+\)", (query or "").strip())
            if match is None:
                problems.append(f"variable {variable.get('name')}: query must be label_values(<expr>, <label>)")
            else:
                exprs.append((f"variable {variable.get('name')}", match.group(1)))
    return exprs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", default=os.path.join(HERE, "alerts.yml"))
    parser.add_argument("--rules-test", default=os.path.join(HERE, "alerts.test.yml"))
    parser.add_argument("--dashboard", default=os.path.join(HERE, "grafana-dashboard.json"))
    parser.add_argument("--names", default=os.path.join(HERE, "metric-names.txt"))
    args = parser.parse_args()

    problems = []
    names = load_names(args.names)
    allowed = allowed_series(names)

    # The rules.
    code, out = promtool("check", "rules", args.rules)
    if code != 0:
        problems.append(f"promtool check rules {args.rules}: {out}")
    else:
        print(f"ok: promtool check rules: {out.splitlines()[-1].strip()}")
    if args.rules_test:
        code, out = promtool("test", "rules", args.rules_test)
        if code != 0:
            problems.append(f"promtool test rules {args.rules_test}: {out}")
        else:
            print(f"ok: promtool test rules {os.path.basename(args.rules_test)}: passed")
    with open(args.rules) as f:
        rules = yaml.safe_load(f) or {}
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            label = rule.get("alert") or rule.get("record")
            for token in sorted(metric_tokens(str(rule.get("expr", "")))):
                if token not in allowed:
                    problems.append(f"rules: {label}: expr: unknown metric {token} (not in metric-names.txt)")

    # The dashboard.
    try:
        with open(args.dashboard) as f:
            dashboard = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        problems.append(f"dashboard {args.dashboard}: not valid JSON: {e}")
        dashboard = None
    if dashboard is not None:
        for key in ("uid", "title", "panels"):
            if not dashboard.get(key):
                problems.append(f"dashboard: {key} is missing")
        exprs = dashboard_exprs(dashboard, problems)
        shown = set()
        for where, expr in exprs:
            for token in sorted(metric_tokens(expr)):
                if token not in allowed:
                    problems.append(f"dashboard: {where}: unknown metric {token} (not in metric-names.txt)")
                else:
                    shown.add(allowed[token])
        for name in sorted(set(names) - shown):
            problems.append(f"dashboard: metric {name} is on no panel")
        # Every query must parse: promtool checks them as recording rules.
        recording = []
        for i, (where, expr) in enumerate(exprs):
            for variable, value in GRAFANA_VARIABLES.items():
                expr = expr.replace(variable, value)
            recording.append({"record": f"dashboard:query_{i}", "expr": expr})
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as tmp:
            yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recording}]}, tmp)
        code, out = promtool("check", "rules", tmp.name)
        os.unlink(tmp.name)
        if code != 0:
            problems.append(f"dashboard: a query does not parse: {out}")
        else:
            print(f"ok: dashboard: {len(exprs)} queries parse; {len(shown)} of {len(names)} metrics shown")

    for p in problems:
        print(f"FAIL: {p}")
    if problems:
        print(f"observability check: {len(problems)} problem(s)")
        return 1
    print("observability check: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
