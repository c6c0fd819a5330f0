#!/usr/bin/env python3
"""The committed files that repeat services/registry.tsv agree with it.

What the build and the local stack's scripts read from the registry needs no check; the files
checked here are written by hand for their readers (operators, Docker, Kubernetes):

  docker-compose.yml               each shipped service (deploy column yes): its container, database,
                                   listen ports, the targets it calls; the gateway's upstreams
  deploy/k8s/base                  kustomization.yaml's resources and <service>-config literals,
                                   <service>.yaml's container, probe, Service and scrape ports;
                                   gateway-config's upstreams
  deploy/k8s/overlays/example      an image for every shipped service
  deploy/docker/defaults.sh        the image's default port offset of every shipped service
  deploy/docker/Dockerfile         SERVICE accepts every shipped service
  docs/ARCHITECTURE.md             the Services table: one row per service with its gRPC port
  docs/OPERATIONS.md               "Where things answer": each service's gRPC and metrics ports

Every disagreement is printed as "<file>: <service>: <field>: <what is there>, the registry says
<what it says>", and the exit status is 1; 0 when all agree.

usage: deploy/registry/check.py [--root DIR] [--registry FILE]
"""
import argparse
import os
import re
import sys

import yaml

GATEWAY = "gateway"


def read_registry(path):
    rows = {}
    order = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if re.match(r"^\s*(#|$)", line):
                continue
            cols = line.split()
            if len(cols) != 8:
                sys.exit(f"{path}:{n}: {len(cols)} columns, expected 8")
            name, grpc, metrics, protos, consumes, calls, gateway, deploy = cols

            def lst(v):
                return [] if v == "-" else v.split(",")

            rows[name] = {
                "grpc": int(grpc),
                "metrics": int(metrics),
                "protos": lst(protos),
                "consumes": lst(consumes),
                "calls": lst(calls),
                "gateway": gateway == "yes",
                "deploy": deploy == "yes",
            }
            order.append(name)
    return order, rows


class Problems:
    def __init__(self):
        self.items = []

    def add(self, file, service, field, found, expected):
        self.items.append(f"{file}: {service}: {field}: {found}, the registry says {expected}")

    def same(self, file, service, field, found, expected):
        if found != expected:
            self.add(file, service, field, "absent" if found is None else repr(found), repr(expected))


def literals(entry):
    out = {}
    for lit in entry.get("literals", []) or []:
        key, _, value = str(lit).partition("=")
        out[key] = value
    return out


def check_compose(root, order, rows, p):
    file = "docker-compose.yml"
    with open(os.path.join(root, file), encoding="utf-8") as f:
        services = (yaml.safe_load(f) or {}).get("services", {})
    shipped = [s for s in order if rows[s]["deploy"]]
    for s in shipped:
        r = rows[s]
        svc = services.get(s)
        if svc is None:
            p.add(file, s, "service", "absent", "a shipped service (deploy yes)")
            continue
        p.same(file, s, "build.args.SERVICE", ((svc.get("build") or {}).get("args") or {}).get("SERVICE"), s)
        env = svc.get("environment") or {}
        p.same(file, s, "GRPC_LISTEN", env.get("GRPC_LISTEN"), f"0.0.0.0:{r['grpc']}")
        p.same(file, s, "METRICS_LISTEN", env.get("METRICS_LISTEN"), f"0.0.0.0:{r['metrics']}")
        p.same(file, s, "PG_DATABASE", env.get("PG_DATABASE"), s)
        p.same(file, s, "PG_HOST", env.get("PG_HOST"), f"postgres-{s}")
        if f"postgres-{s}" not in services:
            p.add(file, s, f"service postgres-{s}", "absent", "a database per shipped service")
        for c in r["calls"]:
            p.same(file, s, f"{c.upper()}_GRPC_TARGET", env.get(f"{c.upper()}_GRPC_TARGET"),
                   f"dns:///{c}:{rows[c]['grpc']}")
    for name in services:
        base = name[len("postgres-"):] if name.startswith("postgres-") else name
        if base in ("kafka", GATEWAY):
            continue
        if base not in rows:
            p.add(file, base, "service " + name, "present", "no such service (no row)")
        elif not rows[base]["deploy"]:
            p.add(file, base, "service " + name, "present", "not shipped (deploy no)")
    gw = (services.get(GATEWAY) or {}).get("environment") or {}
    routed = [s for s in shipped if rows[s]["gateway"]]
    p.same(file, GATEWAY, "GATEWAY_SERVICES", gw.get("GATEWAY_SERVICES"), ",".join(routed))
    for s in routed:
        p.same(file, GATEWAY, f"{s.upper()}_GRPC_TARGET", gw.get(f"{s.upper()}_GRPC_TARGET"),
               f"dns:///{s}:{rows[s]['grpc']}")


def check_k8s(root, order, rows, p):
    base = os.path.join(root, "deploy/k8s/base")
    file = "deploy/k8s/base/kustomization.yaml"
    with open(os.path.join(base, "kustomization.yaml"), encoding="utf-8") as f:
        kust = yaml.safe_load(f)
    shipped = [s for s in order if rows[s]["deploy"]]
    resources = kust.get("resources", [])
    for s in shipped:
        if f"{s}.yaml" not in resources:
            p.add(file, s, "resources", f"no {s}.yaml", "a shipped service (deploy yes)")
    for res in resources:
        name = res[: -len(".yaml")]
        if name in ("serviceaccount", GATEWAY):
            continue
        if name not in rows:
            p.add(file, name, "resources", f"{res} listed", "no such service (no row)")
        elif not rows[name]["deploy"]:
            p.add(file, name, "resources", f"{res} listed", "not shipped (deploy no)")
    maps = {m["name"]: literals(m) for m in kust.get("configMapGenerator", [])}
    common = maps.get("marketplace-common", {})
    p.same(file, "auth", "marketplace-common AUTH_GRPC_TARGET", common.get("AUTH_GRPC_TARGET"),
           f"dns:///auth:{rows['auth']['grpc']}")
    for s in shipped:
        r = rows[s]
        lit = maps.get(f"{s}-config")
        if lit is None:
            p.add(file, s, f"configMapGenerator {s}-config", "absent", "a shipped service (deploy yes)")
            continue
        p.same(file, s, "GRPC_LISTEN", lit.get("GRPC_LISTEN"), f"0.0.0.0:{r['grpc']}")
        p.same(file, s, "METRICS_LISTEN", lit.get("METRICS_LISTEN"), f"0.0.0.0:{r['metrics']}")
        p.same(file, s, "PG_DATABASE", lit.get("PG_DATABASE"), s)
        p.same(file, s, "PG_USER", lit.get("PG_USER"), s)
        for c in r["calls"]:
            p.same(file, s, f"{c.upper()}_GRPC_TARGET", lit.get(f"{c.upper()}_GRPC_TARGET"),
                   f"dns:///{c}:{rows[c]['grpc']}")
        check_k8s_service(base, s, r, p)
    gw = maps.get(f"{GATEWAY}-config", {})
    routed = [s for s in shipped if rows[s]["gateway"]]
    p.same(file, GATEWAY, "GATEWAY_SERVICES", gw.get("GATEWAY_SERVICES"), ",".join(routed))
    for s in routed:
        p.same(file, GATEWAY, f"{s.upper()}_GRPC_TARGET", gw.get(f"{s.upper()}_GRPC_TARGET"),
               f"dns:///{s}:{rows[s]['grpc']}")

    file = "deploy/k8s/overlays/example/kustomization.yaml"
    with open(os.path.join(root, file), encoding="utf-8") as f:
        images = [i.get("name") for i in (yaml.safe_load(f) or {}).get("images", [])]
    for s in shipped:
        if f"marketplace/{s}" not in images:
            p.add(file, s, "images", "absent", f"an image marketplace/{s}")


def check_k8s_service(base, s, r, p):
    file = f"deploy/k8s/base/{s}.yaml"
    path = os.path.join(base, f"{s}.yaml")
    if not os.path.exists(path):
        p.add(file, s, "file", "absent", "a shipped service (deploy yes)")
        return
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {d.get("kind"): d for d in docs}
    dep = by_kind.get("Deployment")
    if dep is None:
        p.add(file, s, "Deployment", "absent", "one")
    else:
        pod = dep["spec"]["template"]
        p.same(file, s, "prometheus.io/port", (pod["metadata"].get("annotations") or {}).get("prometheus.io/port"),
               str(r["metrics"]))
        container = next((c for c in pod["spec"]["containers"] if c.get("name") == s), None)
        if container is None:
            p.add(file, s, "container", "absent", f"a container named {s}")
        else:
            ports = {pt.get("name"): pt.get("containerPort") for pt in container.get("ports", [])}
            p.same(file, s, "containerPort grpc", ports.get("grpc"), r["grpc"])
            p.same(file, s, "containerPort metrics", ports.get("metrics"), r["metrics"])
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if probe in container:
                    p.same(file, s, f"{probe} port", (container[probe].get("grpc") or {}).get("port"), r["grpc"])
    svc = by_kind.get("Service")
    if svc is None:
        p.add(file, s, "Service", "absent", "one")
    else:
        ports = {pt.get("name"): pt.get("port") for pt in svc["spec"].get("ports", [])}
        p.same(file, s, "Service port grpc", ports.get("grpc"), r["grpc"])
        p.same(file, s, "Service port metrics", ports.get("metrics"), r["metrics"])


def check_docker(root, order, rows, p):
    file = "deploy/docker/defaults.sh"
    with open(os.path.join(root, file), encoding="utf-8") as f:
        text = f.read()
    offsets = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*([a-z0-9]+)\) marketplace_offset=(\d+) ;;", text, re.M)}
    for s in order:
        if rows[s]["deploy"]:
            p.same(file, s, "marketplace_offset", offsets.get(s), rows[s]["grpc"] - 7100)
        elif s in offsets:
            p.add(file, s, "marketplace_offset", "present", "not shipped (deploy no)")
    file = "deploy/docker/Dockerfile"
    with open(os.path.join(root, file), encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'case "\$\{SERVICE\}" in \\\n\s*([a-z0-9|]+)\) ;;', text)
    accepted = m.group(1).split("|") if m else []
    for s in order:
        if rows[s]["deploy"] and s not in accepted:
            p.add(file, s, "SERVICE", "not accepted", "a shipped service (deploy yes)")


def table_rows(root, file, heading):
    """The rows of the Markdown table under `## heading` in `file`, each as its list of cells."""
    with open(os.path.join(root, file), encoding="utf-8") as f:
        text = f.read()
    section = text.split(f"\n## {heading}\n", 1)[-1].split("\n## ", 1)[0]
    return [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in section.splitlines() if line.startswith("|")]


def check_doc_table(file, heading, table, order, rows, p, columns):
    """`table` maps a service to its cells; each of `columns` (name, index, registry field) must agree."""
    for s in order:
        cells = table.get(s)
        if cells is None:
            p.add(file, s, heading, "no row", "a service")
            continue
        for name, index, field in columns:
            p.same(file, s, name, cells[index], str(rows[s][field]))
    for s in table:
        if s != GATEWAY and s not in rows:
            p.add(file, s, heading, "a row", "no such service (no row)")


def check_architecture(root, order, rows, p):
    file = "docs/ARCHITECTURE.md"
    table = {}
    for cells in table_rows(root, file, "Services"):
        if len(cells) >= 2 and re.match(r"^[a-z0-9]+$", cells[0]) and cells[0] != "service":
            table[cells[0]] = cells
    check_doc_table(file, "Services table", table, order, rows, p, [("port", 1, "grpc")])


def check_operations(root, order, rows, p):
    file = "docs/OPERATIONS.md"
    table = {}
    for cells in table_rows(root, file, "Where things answer"):
        m = re.match(r"^([a-z0-9]+)\b", cells[0]) if len(cells) >= 3 else None
        if m and cells[0] != "what":
            table[m.group(1)] = cells
    check_doc_table(file, "Where things answer", table, order, rows, p,
                    [("gRPC", 1, "grpc"), ("metrics", 2, "metrics")])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--root", default=os.path.normpath(os.path.join(here, "../..")))
    ap.add_argument("--registry", default=None)
    args = ap.parse_args()
    registry = args.registry or os.path.join(args.root, "services/registry.tsv")
    order, rows = read_registry(registry)
    p = Problems()
    for check in (check_compose, check_k8s, check_docker, check_architecture, check_operations):
        check(args.root, order, rows, p)
    for item in p.items:
        print(item)
    if p.items:
        print(f"registry check: {len(p.items)} disagreement(s) with {registry}", file=sys.stderr)
        return 1
    print(f"registry check: {len(order)} services agree with docker-compose.yml, deploy/k8s, deploy/docker "
          "and docs/{ARCHITECTURE,OPERATIONS}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
