import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform } from "./support/cli.js";
import { lockOf, seededRandom, sleep, storedObjects, type StoredObject } from "./support/faults.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// kill -9 of a gateway node at random moments while a real `certform apply` writes to it: the node is
// restarted at once on the same address and directory (as a supervisor would), the interrupted apply either
// finishes through its retries or fails, and a re-run (after force-unlock when the lock was left) converges.
// Every node then stores exactly the declared objects: none lost, none torn, none left twice. The stack
// alternates between two versions, so that every apply creates, updates, replaces and deletes, in several steps.
// Each run draws its kill delay (from the measured duration of an apply) and its victim from a seeded PRNG;
// a failure names the seed. CERTFORM_FAULT_SEED=N runs seeds N… instead of 1…

const RUNS = 20;
// Lanes (each with its own nodes and stack) could run the seeds side by side; one keeps the suite's other
// process tests from starving on a 2-core machine.
const LANES = 1;
const FIRST_SEED = Number(process.env.CERTFORM_FAULT_SEED ?? 1);

type Version = "A" | "B";

let ca: Issued;
let certs: Record<"apiA" | "apiB" | "other", Issued>;
const lanes: Lane[] = [];

function stackText(v: Version, nodes: GatewayProcess[]): string {
  const a = v === "A";
  return `apiVersion: certform/v1
kind: Stack
name: faults
environments:
  dev: { gateway: { type: embedded, nodes: [${nodes.map((n) => `"${n.admin}"`).join(", ")}] } }
certificates:
  api: { certificate: { file: ${a ? "api-a.pem" : "api-b.pem"} }, key: { file: ${a ? "api-a.key" : "api-b.key"} } }
${a ? `  gen: { generate: { hosts: ["gen.example.com"] } }` : `  other: { certificate: { file: other.pem }, key: { file: other.key } }`}
trustedCertificates:
  ca: { certificate: { file: ca.pem } }
endpoints:
  billing: { url: "https://billing-${v.toLowerCase()}.internal:9443" }
${a ? "" : `  extra: { url: "https://extra.internal:9443" }`}
trustAssignments:
  billing: { certificate: ca, endpoint: billing }
${a ? "" : `  extra: { certificate: ca, endpoint: extra }`}
jwks:
  signing: { certificate: api }
`;
}

/** What every node must hold for a version: addresses per collection, and the values the stack fixes. */
function expected(v: Version): { collection: string; address: string; value?: string }[] {
  const a = v === "A";
  const rows = [
    { collection: "certificates", address: "certificates.api[dev]", value: (a ? certs.apiA : certs.apiB).certificate.fingerprint256 },
    a ? { collection: "certificates", address: "certificates.gen[dev]" } : { collection: "certificates", address: "certificates.other[dev]", value: certs.other.certificate.fingerprint256 },
    { collection: "endpoints", address: "endpoints.billing[dev]", value: `https://billing-${v.toLowerCase()}.internal:9443` },
    ...(a ? [] : [{ collection: "endpoints", address: "endpoints.extra[dev]", value: "https://extra.internal:9443" }]),
    { collection: "jwks", address: "jwks.signing[dev]" },
    { collection: "trust", address: "trustAssignments.billing[dev]" },
    ...(a ? [] : [{ collection: "trust", address: "trustAssignments.extra[dev]" }]),
    { collection: "trusted", address: "trustedCertificates.ca[dev]", value: ca.certificate.fingerprint256 },
  ];
  return rows.sort((x, y) => `${x.collection} ${x.address}`.localeCompare(`${y.collection} ${y.address}`));
}

/** Two nodes of one environment and a stack directory that drives them. */
class Lane {
  private constructor(
    readonly nodes: GatewayProcess[],
    readonly dir: string,
  ) {}

  static async start(): Promise<Lane> {
    const nodes = await Promise.all([1, 2].map((n) => startGateway({ environment: "dev", node: `dev-${n}` })));
    const chain = (c: Issued) => toPem([c.certificate, ca.certificate]);
    const { apiA, apiB, other } = certs;
    const dir = writeStackDir({ "ca.pem": ca.pem, "api-a.pem": chain(apiA), "api-a.key": apiA.keyPem, "api-b.pem": chain(apiB), "api-b.key": apiB.keyPem, "other.pem": chain(other), "other.key": other.keyPem });
    return new Lane(nodes, dir);
  }

  declare(v: Version): void {
    writeFileSync(join(this.dir, "stack.yaml"), stackText(v, this.nodes));
  }

  apply() {
    return certform(["apply", this.dir, "--auto-approve", "--format", "json"]);
  }

  /** kill -9, then the node comes back at once on its address and directory, as under a supervisor. */
  async killAndRestart(i: number): Promise<void> {
    const old = this.nodes[i]!;
    await old.kill9();
    this.nodes[i] = await startGateway({ dataDir: old.dataDir, environment: "dev", node: `dev-${i + 1}`, admin: new URL(old.admin).host, listen: `127.0.0.1:${old.listenPort}` });
  }

  /** Each node holds exactly the declared objects, and the nodes hold the same ones (generated material included). */
  async expectExactly(v: Version, why: string): Promise<void> {
    const want = expected(v);
    const held: StoredObject[][] = [];
    for (const node of this.nodes) {
      const objects = await storedObjects(node.admin);
      expect(objects.map((o) => `${o.collection} ${o.address}`), `${why}: ${node.admin} holds exactly the declared objects`).toEqual(want.map((w) => `${w.collection} ${w.address}`));
      want.forEach((w, i) => {
        if (w.value !== undefined) expect(objects[i]!.value, `${why}: ${w.address} on ${node.admin}`).toBe(w.value);
      });
      held.push(objects);
    }
    expect(held[1]!.map((o) => o.value), `${why}: both nodes hold the same objects`).toEqual(held[0]!.map((o) => o.value));
  }

  /** Applies both versions cleanly and returns the longer apply's duration, which bounds the kill delays. */
  async measure(): Promise<number> {
    let duration = 0;
    for (const v of ["A", "B"] as const) {
      this.declare(v);
      const started = Date.now();
      const r = await this.apply();
      duration = Math.max(duration, Date.now() - started);
      expect(r.code, r.stderr.slice(-2000)).toBe(0);
      await this.expectExactly(v, `clean apply of ${v}`);
    }
    return duration;
  }

  async run(seed: number, duration: number): Promise<void> {
    const random = seededRandom(seed);
    const version: Version = seed % 2 === 0 ? "B" : "A";
    const victim = Math.floor(random() * this.nodes.length);
    const delay = Math.floor(random() * duration);
    const run = `seed ${seed} (CERTFORM_FAULT_SEED=${seed}; version ${version}, node ${victim + 1} killed after ${delay} ms of a ${duration} ms apply)`;
    try {
      this.declare(version);
      const interrupted = this.apply();
      await sleep(delay);
      await this.killAndRestart(victim);
      const first = await interrupted;
      // Most interrupted applies finish through their retries; one that lost a batch's answer fails, saying so.
      if (first.code !== 0) {
        expect(first.code, `${run}: ${first.stderr.slice(-1500)}`).toBe(1);
        expect(JSON.parse(first.stdout).ok, run).toBe(false);
      }
      // A failed apply could not release the lock of the node it lost: force-unlock does, naming its holder.
      for (const node of this.nodes) {
        const lock = await lockOf(node.admin);
        if (!lock) continue;
        expect(lock.holder, run).toMatch(/^certform apply by /);
        const unlocked = await certform(["force-unlock", "dev", this.dir]);
        expect(unlocked.code, `${run}: ${unlocked.stderr}`).toBe(0);
        expect(unlocked.stdout, run).toContain(lock.holder);
        break;
      }
      const rerun = await this.apply();
      expect(rerun.code, `${run}: re-run failed: ${rerun.stderr.slice(-1500)}`).toBe(0);
      await this.expectExactly(version, run);
    } catch (err) {
      if (err instanceof Error) err.message = `${run}\n${err.message}\ngateway output:\n${this.nodes[victim]!.output.slice(-10).join("\n")}`;
      throw err;
    }
  }
}

beforeAll(async () => {
  ca = await makeCa();
  const [apiA, apiB, other] = await Promise.all([issue({ issuer: ca, hosts: ["api.example.com"] }), issue({ issuer: ca, hosts: ["api.example.com"] }), issue({ issuer: ca, hosts: ["other.example.com"] })]);
  certs = { apiA: apiA!, apiB: apiB!, other: other! };
  for (let i = 0; i < LANES; i++) lanes.push(await Lane.start());
});
afterAll(async () => {
  await Promise.all(lanes.flatMap((l) => l.nodes.map((n) => n.stop())));
});

describe("a gateway node killed (kill -9) at random moments during apply", () => {
  it(`keeps exactly the declared objects once a re-run converges (${RUNS} seeded runs)`, async () => {
    await Promise.all(
      lanes.map(async (lane, l) => {
        const duration = await lane.measure();
        for (let seed = FIRST_SEED + l; seed < FIRST_SEED + RUNS; seed += LANES) await lane.run(seed, duration);
      }),
    );
    // The last stack as a user reads it: plan shows no changes, verify passes.
    const plan = await certform(["plan", lanes[0]!.dir, "--detailed-exitcode"]);
    expect(plan.code, plan.stdout.slice(-2000)).toBe(0);
    const verify = await certform(["verify", lanes[0]!.dir]);
    expect(verify.code, verify.stdout.slice(-2000)).toBe(0);
  }, 300_000);
});
