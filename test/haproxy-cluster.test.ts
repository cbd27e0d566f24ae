import { X509Certificate } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha1sOf } from "../src/providers/haproxy/answers.js";
import { createRuntimeClient } from "../src/providers/haproxy/runtime.js";
import { certform } from "./support/cli.js";
import { handshake } from "./support/gateway.js";
import { freePort, startHaproxy, type HaproxyProcess } from "./support/haproxy.js";
import { tempDir } from "./support/pki.js";

// An environment of two HAProxy processes (nodes) sharing one data directory, as one host's processes do,
// one with a UNIX and one with a TCP runtime API socket, each started with the configuration that
// `haproxy config --node` prints for it (both bind the same port: HAProxy binds with SO_REUSEPORT).
// A generated certificate must be the same on both, from one apply.

const rt = createRuntimeClient(5000);
let dir: string;
let port: number;
let nodes: string[];
const procs: HaproxyProcess[] = [];

beforeAll(async () => {
  dir = await tempDir("certform-haproxy-cluster-");
  port = await freePort();
  // One node on a UNIX socket, the other on a TCP runtime API.
  nodes = [`unix://${join(dir, "a.sock")}`, `tcp://127.0.0.1:${await freePort()}`];
  await writeFile(
    join(dir, "stack.yaml"),
    `apiVersion: certform/v1
kind: Stack
name: cluster
environments:
  edge:
    gateway: { type: haproxy, nodes: ${JSON.stringify(nodes)}, listen: "127.0.0.1:${port}", dir: ./data }
endpoints:
  ext: { url: "https://127.0.0.1:1/", path: /ext }
certificates:
  www:
    generate: { hosts: [www.cluster.test], keyType: ec-p256, validity: 30d, renewBefore: 10d }
`,
  );
  for (const [i, node] of nodes.entries()) {
    const r = await certform(["haproxy", "config", "stack.yaml", "--env", "edge", "--node", node], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    await writeFile(join(dir, `haproxy-${i}.cfg`), r.stdout);
    procs.push(await startHaproxy(join(dir, `haproxy-${i}.cfg`), node));
  }
});

afterAll(async () => {
  for (const p of procs) await p.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("two HAProxy nodes of one environment", () => {
  it("serve the same generated certificate after one apply, and plan finds nothing to do", async () => {
    const r = await certform(["apply", "stack.yaml", "--auto-approve"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const path = join(dir, "data", "certs", "www.pem");
    const [a, b] = await Promise.all(nodes.map(async (n) => sha1sOf(await rt.send(n, `show ssl cert ${path}`))[0]));
    expect(a).toBeDefined();
    expect(a).toBe(b);
    const served = new X509Certificate((await handshake(port, "www.cluster.test")).raw);
    expect(served.fingerprint.replace(/:/g, "")).toBe(a);
    const plan = await certform(["plan", "stack.yaml", "--detailed-exitcode"], { cwd: dir });
    expect(plan.code, plan.stdout).toBe(0);
  });

  it("applies a saved plan a while later: the revision holds only what changes with a write, not HAProxy's own clocks", async () => {
    const stack = join(dir, "stack.yaml");
    await writeFile(stack, `${await readFile(stack, "utf8")}  shop:\n    generate: { hosts: [shop.cluster.test], keyType: ec-p256, validity: 30d, renewBefore: 10d }\n`);
    const plan = await certform(["plan", "stack.yaml", "--out", "saved.plan"], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    // HAProxy reports times in seconds (e.g. since a server last changed): let some pass.
    await new Promise((r) => setTimeout(r, 2100));
    const r = await certform(["apply", "saved.plan", "--auto-approve"], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("1 created");
  });

  it("haproxy config refuses a --node that is not one of the environment's", async () => {
    const r = await certform(["haproxy", "config", "stack.yaml", "--env", "edge", "--node", "unix:///elsewhere.sock"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("is not one of environment edge's nodes");
  });
});
