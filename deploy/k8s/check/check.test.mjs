// The checker must reject broken manifests: each case breaks one thing in the rendered example
// overlay (RENDERED, a file of `kubectl kustomize` output) and expects the checker to name it.
//
// usage: RENDERED=rendered.yaml node --test check.test.mjs
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { checkObjects, parseManifests } from "./check.mjs";

const rendered = process.env.RENDERED;
if (!rendered) throw new Error("RENDERED must name a file of rendered manifests");
const original = parseManifests(readFileSync(rendered, "utf8"));

/** A deep copy of the rendered objects with `edit` applied to the one of `kind` named `name`. */
function broken(kind, name, edit) {
    const objects = structuredClone(original);
    const target = objects.find((o) => o.kind === kind && o.metadata?.name === name);
    assert.ok(target, `${kind}/${name} is in the rendered output`);
    edit(target, objects);
    return objects;
}

function container(deployment) {
    return deployment.spec.template.spec.containers[0];
}

async function expectProblem(objects, expected) {
    const problems = await checkObjects(objects);
    assert.ok(
        problems.some((p) => p.includes(expected)),
        `expected a problem containing "${expected}", got:\n${problems.join("\n") || "(none)"}`,
    );
}

test("the rendered example overlay is valid", async () => {
    assert.deepEqual(await checkObjects(original), []);
});

test("schema: a container port given as a string is rejected", async () => {
    const objects = broken("Deployment", "payments", (d) => {
        container(d).ports[0].containerPort = "7104";
    });
    await expectProblem(objects, "Deployment/payments: spec.template.spec.containers[0].ports[0].containerPort: must be integer");
});

test("schema: a container without a name is rejected", async () => {
    const objects = broken("Deployment", "jobs", (d) => {
        delete container(d).name;
    });
    await expectProblem(objects, "Deployment/jobs: spec.template.spec.containers[0]: must have required property name");
});

test("schema: an unknown apiVersion is rejected, not skipped", async () => {
    const objects = broken("HorizontalPodAutoscaler", "gateway", (h) => {
        h.apiVersion = "autoscaling/v9";
    });
    await expectProblem(objects, "HorizontalPodAutoscaler/gateway: no schema for apiVersion autoscaling/v9");
});

test("strict fields: a misspelt field is rejected", async () => {
    const objects = broken("Deployment", "auth", (d) => {
        const sc = container(d).securityContext;
        sc.readOnlyRootFileSystem = sc.readOnlyRootFilesystem;
        delete sc.readOnlyRootFilesystem;
    });
    await expectProblem(objects, "spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem: unknown field");
});

test("strict fields: an unknown field deep in a probe is rejected", async () => {
    const objects = broken("Deployment", "contracts", (d) => {
        container(d).livenessProbe.grpc.serviceName = "marketplace.contracts.v1.ContractsService";
    });
    await expectProblem(objects, "livenessProbe.grpc.serviceName: unknown field");
});

test("rules: a container without a liveness probe is rejected", async () => {
    const objects = broken("Deployment", "contracts", (d) => {
        delete container(d).livenessProbe;
    });
    await expectProblem(objects, "Deployment/contracts: spec.template.spec.containers[0].livenessProbe: missing");
});

test("rules: a probe on a port the container does not declare is rejected", async () => {
    const objects = broken("Deployment", "auth", (d) => {
        container(d).readinessProbe.grpc.port = 7999;
    });
    await expectProblem(objects, "readinessProbe: port 7999 is not one of the container's ports");
});

test("rules: a container without limits is rejected", async () => {
    const objects = broken("Deployment", "gateway", (d) => {
        delete container(d).resources.limits;
    });
    await expectProblem(objects, "Deployment/gateway: spec.template.spec.containers[0].resources.limits.cpu: missing");
});

test("rules: a writable root filesystem, root user or kept capabilities are rejected", async () => {
    const objects = broken("Deployment", "notifications", (d) => {
        const sc = container(d).securityContext;
        sc.readOnlyRootFilesystem = false;
        sc.runAsNonRoot = false;
        sc.capabilities.drop = ["NET_RAW"];
    });
    await expectProblem(objects, "securityContext.readOnlyRootFilesystem: must be true");
    await expectProblem(objects, "securityContext.runAsNonRoot: must be true");
    await expectProblem(objects, "securityContext.capabilities.drop: must include ALL");
});

test("rules: an image tagged latest, or not tagged, is rejected", async () => {
    await expectProblem(
        broken("Deployment", "payments", (d) => {
            container(d).image = "registry.example.com/marketplace/payments:latest";
        }),
        "image: must be pinned",
    );
    await expectProblem(
        broken("Deployment", "payments", (d) => {
            container(d).image = "registry.example.com:5000/marketplace/payments";
        }),
        "image: must be pinned",
    );
});

test("rules: a Deployment without a PodDisruptionBudget is rejected", async () => {
    const objects = broken("Deployment", "jobs", (d, all) => {
        all.splice(all.findIndex((o) => o.kind === "PodDisruptionBudget" && o.metadata.name === "jobs"), 1);
    });
    await expectProblem(objects, "Deployment/jobs: no PodDisruptionBudget selects its pods");
});

test("rules: /tmp not on an emptyDir is rejected", async () => {
    const objects = broken("Deployment", "gateway", (d) => {
        container(d).volumeMounts = container(d).volumeMounts.filter((m) => m.mountPath !== "/tmp");
    });
    await expectProblem(objects, "volumeMounts: /tmp must be an emptyDir volume");
});

test("rules: a missing Secret or ConfigMap, and a Service selecting nothing, are rejected", async () => {
    const objects = broken("Deployment", "payments", (d, all) => {
        all.splice(all.findIndex((o) => o.kind === "Secret" && o.metadata.name.startsWith("payments-secrets")), 1);
        container(d).envFrom[1].configMapRef.name = "payments-config-missing";
        all.find((o) => o.kind === "Service" && o.metadata.name === "jobs").spec.selector = { "app.kubernetes.io/name": "job" };
    });
    await expectProblem(objects, "Deployment/payments: spec.template.spec.volumes.secrets: Secret payments-secrets");
    await expectProblem(objects, "Deployment/payments: envFrom: ConfigMap payments-config-missing is not in the output");
    await expectProblem(objects, "Service/jobs: spec.selector: selects no Deployment's pods");
});

test("rules: the metrics port must be announced to Prometheus", async () => {
    const objects = broken("Deployment", "auth", (d) => {
        d.spec.template.metadata.annotations["prometheus.io/port"] = "9999";
    });
    await expectProblem(objects, 'prometheus.io/port must be "9101"');
});
