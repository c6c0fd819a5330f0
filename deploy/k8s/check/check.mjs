// Checks rendered Kubernetes manifests (the output of `kubectl kustomize`) offline, in three layers:
//
// 1. Schema: each object against the upstream Kubernetes OpenAPI schema of its apiVersion and kind,
//    as compiled by the kubernetes-models package (types, required fields, enums, formats).
//    An apiVersion/kind it has no schema for is an error, never a silent pass.
// 2. Strict fields: the upstream schemas allow unknown fields (the API server drops or rejects them
//    at apply time), so a typo such as `readOnlyRootFileSystem` would pass layer 1. Every field is
//    therefore also looked up in the same package's type declarations, generated from the same spec,
//    as `kubeconform -strict` does with additionalProperties: false.
// 3. Project rules the schema cannot express: every container has liveness and readiness probes on a
//    port it declares, CPU and memory requests and limits, runAsNonRoot, readOnlyRootFilesystem, no
//    privilege escalation, ALL capabilities dropped, an emptyDir on /tmp, and a pinned image (a tag
//    other than latest, or a digest); every Deployment has a PodDisruptionBudget selecting its pods
//    and Prometheus scrape annotations naming its metrics port; Services, HPAs and PDBs point at
//    Deployments that exist; ConfigMaps and Secrets a pod uses are part of the output.
//
// usage: node check.mjs [FILE]   (FILE, or standard input: YAML documents; exit 0 valid, 1 not, 2 usage)
import { readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const modelsRoot = path.dirname(require.resolve("kubernetes-models/package.json", { paths: [here] }));
const modulesRoot = path.dirname(modelsRoot);

/** "apps/v1" + "Deployment" -> the kubernetes-models module path, e.g. "kubernetes-models/apps/v1/Deployment". */
function modelPath(apiVersion, kind) {
    return `kubernetes-models/${apiVersion}/${kind}`;
}

/** Parses YAML text into plain objects, skipping empty documents. */
export function parseManifests(text) {
    const objects = [];
    for (const doc of parseAllDocuments(text)) {
        if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors[0].message}`);
        const value = doc.toJS();
        if (value !== null && value !== undefined) objects.push(value);
    }
    return objects;
}

function objectName(o) {
    return `${o?.kind ?? "?"}/${o?.metadata?.name ?? "?"}`;
}

// ---- layer 1: the upstream schema --------------------------------------------------------------

async function schemaErrors(o) {
    if (typeof o !== "object" || Array.isArray(o)) return ["not an object"];
    if (typeof o.apiVersion !== "string" || typeof o.kind !== "string") return ["apiVersion and kind are required"];
    let Model;
    try {
        ({ [o.kind]: Model } = await import(modelPath(o.apiVersion, o.kind)));
    } catch {
        return [`no schema for apiVersion ${o.apiVersion}, kind ${o.kind}`];
    }
    if (typeof Model !== "function") return [`no schema for apiVersion ${o.apiVersion}, kind ${o.kind}`];
    try {
        new Model(structuredClone(o)).validate();
    } catch (e) {
        // "data/spec/template/spec/containers/0/ports/0/containerPort must be integer"
        return String(e.message)
            .split(/,\s*(?=data)/)
            .map((line) =>
                line
                    .replace(/^data\/?/, "")
                    .replace(/\/(\d+)(?=\/|\s)/g, "[$1]")
                    .replaceAll("/", ".")
                    .replace(/^(\S+) /, "$1: "),
            );
    }
    return [];
}

// ---- layer 2: strict fields, from the type declarations ----------------------------------------

const interfaces = new Map(); // .d.ts file -> { name, props: Map(field -> type text), imports } | null

function declarationFile(specifier, fromFile) {
    let file;
    if (specifier.startsWith(".")) {
        file = path.resolve(path.dirname(fromFile), specifier.replace(/\.js$/, ".d.ts"));
    } else {
        file = path.join(modulesRoot, specifier.replace(/\.js$/, "") + ".d.ts");
    }
    return existsSync(file) ? file : null;
}

/** The first exported interface of a declaration file: its fields and what its types refer to. */
function readInterface(file) {
    if (interfaces.has(file)) return interfaces.get(file);
    const text = readFileSync(file, "utf8");
    const imports = new Map();
    for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1], m[2]);
    const head = /^export interface (\w+)(?: extends [\w, ]+)? \{$/m.exec(text);
    let result = null;
    if (head) {
        const start = head.index + head[0].length;
        const body = text.slice(start, text.indexOf("\n}", start));
        const props = new Map();
        for (const m of body.matchAll(/^ {4}"([^"]+)"\??: ([\s\S]*?);$/gm)) props.set(m[1], m[2].trim());
        result = { name: head[1], file, props, imports };
    }
    interfaces.set(file, result);
    return result;
}

/** What a field's type text means: { array: T } | { map: T } | { ref: file } | null (a leaf). */
function resolveType(typeText, iface) {
    const array = /^Array<(.+)>$/s.exec(typeText);
    if (array) return { array: array[1].trim() };
    const map = /^\{\s*\[key: string\]: (.+?)$/s.exec(typeText);
    if (map) return { map: map[1].replace(/;?\s*\}?\s*$/, "").trim() };
    if (/^\w+$/.test(typeText) && iface.imports.has(typeText)) {
        const file = declarationFile(iface.imports.get(typeText), iface.file);
        if (file && readInterface(file)) return { ref: file };
    }
    return null;
}

function strictWalk(value, typeText, iface, where, errors) {
    if (value === null || value === undefined) return;
    const t = resolveType(typeText, iface);
    if (t === null) return;
    if (t.array !== undefined) {
        if (Array.isArray(value)) value.forEach((v, i) => strictWalk(v, t.array, iface, `${where}[${i}]`, errors));
        return;
    }
    if (t.map !== undefined) {
        if (typeof value === "object" && !Array.isArray(value)) {
            for (const [k, v] of Object.entries(value)) strictWalk(v, t.map, iface, `${where}.${k}`, errors);
        }
        return;
    }
    strictObject(value, readInterface(t.ref), where, errors);
}

function strictObject(value, iface, where, errors) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return;
    for (const [key, v] of Object.entries(value)) {
        const field = where ? `${where}.${key}` : key;
        if (!iface.props.has(key)) {
            errors.push(`${field}: unknown field (not in the schema of ${iface.name.replace(/^I/, "")})`);
            continue;
        }
        strictWalk(v, iface.props.get(key), iface, field, errors);
    }
}

function strictErrors(o) {
    const file = path.join(modelsRoot, o.apiVersion, `${o.kind}.d.ts`);
    const iface = existsSync(file) ? readInterface(file) : null;
    if (!iface) return [`no type declarations for apiVersion ${o.apiVersion}, kind ${o.kind}`];
    const errors = [];
    strictObject(o, iface, "", errors);
    return errors;
}

// ---- layer 3: the project's rules --------------------------------------------------------------

function matches(selector, labels) {
    const wanted = selector?.matchLabels ?? selector ?? {};
    if (Object.keys(wanted).length === 0) return false;
    return Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}

function imagePinned(image) {
    if (typeof image !== "string" || image === "") return false;
    if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
    const last = image.slice(image.lastIndexOf("/") + 1);
    const colon = last.lastIndexOf(":");
    return colon > 0 && last.slice(colon + 1) !== "latest" && last.slice(colon + 1) !== "";
}

function containerRules(c, podSpec, where, errors) {
    const ports = c.ports ?? [];
    const hasPort = (p) => ports.some((x) => x.containerPort === p || x.name === p);
    for (const probe of ["livenessProbe", "readinessProbe"]) {
        const pr = c[probe];
        if (!pr) {
            errors.push(`${where}.${probe}: missing`);
            continue;
        }
        const port = pr.grpc?.port ?? pr.httpGet?.port ?? pr.tcpSocket?.port;
        if (port === undefined && !pr.exec) errors.push(`${where}.${probe}: needs a grpc, httpGet, tcpSocket or exec check`);
        if (port !== undefined && !hasPort(port)) errors.push(`${where}.${probe}: port ${port} is not one of the container's ports`);
    }
    for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) {
            if (c.resources?.[kind]?.[r] === undefined) errors.push(`${where}.resources.${kind}.${r}: missing`);
        }
    }
    const sc = c.securityContext ?? {};
    const podSc = podSpec.securityContext ?? {};
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) errors.push(`${where}.securityContext.runAsNonRoot: must be true`);
    if (sc.readOnlyRootFilesystem !== true) errors.push(`${where}.securityContext.readOnlyRootFilesystem: must be true`);
    if (sc.allowPrivilegeEscalation !== false) errors.push(`${where}.securityContext.allowPrivilegeEscalation: must be false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) errors.push(`${where}.securityContext.capabilities.drop: must include ALL`);
    if (!imagePinned(c.image)) errors.push(`${where}.image: must be pinned to a tag other than latest, or a digest; got '${c.image ?? ""}'`);
    const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
    const tmpVolume = tmp && (podSpec.volumes ?? []).find((v) => v.name === tmp.name);
    if (!tmpVolume?.emptyDir) errors.push(`${where}.volumeMounts: /tmp must be an emptyDir volume`);
}

/** Errors of the project's rules, by object name. */
export function projectErrors(objects) {
    const errors = new Map();
    const add = (o, message) => {
        const key = objectName(o);
        errors.set(key, [...(errors.get(key) ?? []), message]);
    };
    const ns = (o) => o.metadata?.namespace ?? "";
    const deployments = objects.filter((o) => o.kind === "Deployment");
    const present = (kind, name, namespace) =>
        objects.some((o) => o.kind === kind && o.metadata?.name === name && ns(o) === namespace);

    for (const d of deployments) {
        const pod = d.spec?.template ?? {};
        const spec = pod.spec ?? {};
        const labels = pod.metadata?.labels ?? {};
        (spec.containers ?? []).forEach((c, i) => {
            const found = [];
            containerRules(c, spec, `spec.template.spec.containers[${i}]`, found);
            for (const m of found) add(d, m);
        });
        const pdbs = objects.filter((o) => o.kind === "PodDisruptionBudget" && ns(o) === ns(d) && matches(o.spec?.selector, labels));
        if (pdbs.length === 0) add(d, "no PodDisruptionBudget selects its pods");
        const annotations = pod.metadata?.annotations ?? {};
        const metricsPort = (spec.containers ?? []).flatMap((c) => c.ports ?? []).find((p) => p.name === "metrics");
        if (annotations["prometheus.io/scrape"] !== "true") add(d, "spec.template.metadata.annotations: prometheus.io/scrape must be \"true\"");
        if (!metricsPort) add(d, "spec.template.spec.containers: no port named metrics");
        else if (annotations["prometheus.io/port"] !== String(metricsPort.containerPort)) {
            add(d, `spec.template.metadata.annotations: prometheus.io/port must be "${metricsPort.containerPort}" (the metrics port)`);
        }
        for (const source of (spec.containers ?? []).flatMap((c) => c.envFrom ?? [])) {
            const ref = source.configMapRef?.name;
            if (ref && !present("ConfigMap", ref, ns(d))) add(d, `envFrom: ConfigMap ${ref} is not in the output`);
            const secretRef = source.secretRef?.name;
            if (secretRef && !present("Secret", secretRef, ns(d))) add(d, `envFrom: Secret ${secretRef} is not in the output`);
        }
        for (const v of spec.volumes ?? []) {
            if (v.secret && !present("Secret", v.secret.secretName, ns(d))) {
                add(d, `spec.template.spec.volumes.${v.name}: Secret ${v.secret.secretName} is not in the output`);
            }
            if (v.configMap && !present("ConfigMap", v.configMap.name, ns(d))) {
                add(d, `spec.template.spec.volumes.${v.name}: ConfigMap ${v.configMap.name} is not in the output`);
            }
        }
    }
    for (const o of objects) {
        if (o.kind === "Service" && o.spec?.selector) {
            if (!deployments.some((d) => ns(d) === ns(o) && matches(o.spec.selector, d.spec?.template?.metadata?.labels))) {
                add(o, "spec.selector: selects no Deployment's pods");
            }
        }
        if (o.kind === "PodDisruptionBudget") {
            if (!deployments.some((d) => ns(d) === ns(o) && matches(o.spec?.selector, d.spec?.template?.metadata?.labels))) {
                add(o, "spec.selector: selects no Deployment's pods");
            }
        }
        if (o.kind === "HorizontalPodAutoscaler") {
            const target = o.spec?.scaleTargetRef ?? {};
            if (target.kind !== "Deployment" || !present("Deployment", target.name, ns(o))) {
                add(o, `spec.scaleTargetRef: no Deployment named ${target.name}`);
            }
        }
    }
    return errors;
}

/** Every problem of the manifests, as "Kind/name: field: what" lines (empty when valid). */
export async function checkObjects(objects) {
    const lines = [];
    for (const o of objects) {
        const schema = await schemaErrors(o);
        const strict = schema.length === 0 || schema.every((e) => !e.startsWith("no schema")) ? strictErrors(o) : [];
        for (const e of [...schema, ...strict]) lines.push(`${objectName(o)}: ${e}`);
    }
    for (const [name, messages] of projectErrors(objects)) for (const m of messages) lines.push(`${name}: ${m}`);
    return lines;
}

async function main() {
    const args = process.argv.slice(2);
    if (args.length > 1 || args[0] === "-h" || args[0] === "--help") {
        console.error("usage: node check.mjs [FILE]   (rendered manifests; standard input when no FILE)");
        process.exit(2);
    }
    const text = readFileSync(args[0] ?? 0, "utf8");
    let objects;
    try {
        objects = parseManifests(text);
    } catch (e) {
        console.log(`FAIL: ${e.message}`);
        process.exit(1);
    }
    if (objects.length === 0) {
        console.log("FAIL: no objects to check");
        process.exit(1);
    }
    const problems = await checkObjects(objects);
    for (const p of problems) console.log(`FAIL: ${p}`);
    const kinds = {};
    for (const o of objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
    const summary = Object.entries(kinds)
        .map(([k, n]) => `${n} ${k}`)
        .join(", ");
    if (problems.length > 0) {
        console.log(`k8s check: ${problems.length} problem(s) in ${objects.length} objects`);
        process.exit(1);
    }
    console.log(`k8s check: ${objects.length} objects valid (${summary})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
