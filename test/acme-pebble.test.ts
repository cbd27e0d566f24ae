import { createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { certform, type CliResult } from "./support/cli.js";
import { api, handshake, startGateway, type GatewayProcess } from "./support/gateway.js";
import { keyEchoes, secretOf } from "./support/key-echoes.js";
import { startPebble, type Pebble } from "./support/pebble.js";
import { loadStore } from "../src/gateway/store/index.js";

// Issue 18, ACME: certificates ordered from Pebble (the ACME test CA) at apply time, the gateway's own
// listeners answering the challenges on both nodes of the environment. Pebble checks tls-alpn-01 on node 2's
// TLS listener and http-01 on node 1's HTTP listener, so each node proves it answers; both serve the result.
// Real processes, the real command line, real TLS handshakes.

let n1: GatewayProcess;
let n2: GatewayProcess;
let pebble: Pebble;
const work = mkdtempSync(join(tmpdir(), "certform-acme-"));
const dir = join(work, "stacks");

// An account key of the stack's own, given as key: { env: ACME_ACCOUNT_KEY } in the renewal case.
const accountKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
const accountEnv = { ACME_ACCOUNT_KEY: accountKey.export({ type: "pkcs8", format: "pem" }).toString() };

const stack = (apiHosts: string[], renewBefore = "30d", keyFromEnv = false) => `apiVersion: certform/v1
kind: Stack
name: acme
environments:
  prod: { gateway: { type: embedded, nodes: ["${n1.admin}", "${n2.admin}"] } }
certificates:
  api:
    generate:
      hosts: [${apiHosts.map((h) => `"${h}"`).join(", ")}]
      renewBefore: ${renewBefore}
      acme: { directory: "${pebble.directory}", email: pki@example.com, challenge: tls-alpn-01, caBundle: { file: pebble-api-ca.pem }${keyFromEnv ? ", key: { env: ACME_ACCOUNT_KEY }" : ""} }
  www:
    generate:
      hosts: ["www.prod.example.com"]
      keyType: rsa-2048
      acme: { directory: "${pebble.directory}", challenge: http-01, caBundle: { file: pebble-api-ca.pem } }
`;

/** Everything certform printed: checked for key echoes at the end. */
const printed: string[] = [];
const cli = async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => {
  const r = await certform(args, { cwd: work, env });
  printed.push(r.stdout, r.stderr);
  return r;
};
const failure = (r: CliResult) => `exit ${r.code}\n${r.stdout}\n${r.stderr}\n${pebble?.output.slice(-20).join("\n")}`;

/** The chain a node serves for a host, leaf first, over a real handshake. */
async function served(gw: GatewayProcess, host: string): Promise<X509Certificate> {
  const leaf = await handshake(gw.listenPort, host);
  return new X509Certificate(leaf.raw);
}

beforeAll(async () => {
  [n1, n2] = await Promise.all([
    startGateway({ environment: "prod", node: "prod-1", extraArgs: ["--http", "127.0.0.1:0"] }),
    startGateway({ environment: "prod", node: "prod-2", extraArgs: ["--http", "127.0.0.1:0"] }),
  ]);
  pebble = await startPebble(work, { httpPort: Number(new URL(n1.http!).port), tlsPort: n2.listenPort });
  mkdirSync(dir);
  copyFileSync(pebble.apiCaFile, join(dir, "pebble-api-ca.pem"));
  writeFileSync(join(dir, "stack.yaml"), stack(["api.prod.example.com"]));
}, 60_000);

afterAll(async () => {
  await Promise.all([n1?.stop(), n2?.stop(), pebble?.stop()]);
  rmSync(work, { recursive: true, force: true });
});

describe("ACME certificates from Pebble on a two-node environment", () => {
  let apiFingerprint: string;

  it("orders through tls-alpn-01 and http-01; both nodes serve the issued certificates; a new plan shows no changes", async () => {
    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.stdout, failure(applied)).toContain("Apply complete!");
    expect(applied.code).toBe(0);

    const root = new X509Certificate(await pebble.root());
    for (const host of ["api.prod.example.com", "www.prod.example.com"]) {
      const [a, b] = await Promise.all([served(n1, host), served(n2, host)]);
      expect(a.fingerprint256).toBe(b.fingerprint256);
      expect(a.subjectAltName).toBe(`DNS:${host}`);
      expect(a.issuer).toMatch(/Pebble Intermediate CA/);
      // The gateway serves the CA's chain: the intermediate it sends is signed by Pebble's root of this run.
      const chain = (await api(n1.admin, "GET", "/v1/certificates")).body.items.find((c: { hosts: string[] }) => c.hosts.includes(host));
      expect(chain.generated).toBe(true);
      expect(chain.fingerprint256).toBe(a.fingerprint256);
      const intermediate = new X509Certificate(chain.chain.split(/(?=-----BEGIN CERTIFICATE-----)/)[1]);
      expect(intermediate.verify(root.publicKey)).toBe(true);
      if (host.startsWith("api")) apiFingerprint = a.fingerprint256;
      else expect(a.publicKey.asymmetricKeyType).toBe("rsa");
    }
    // The account key was made on first use and kept beside the stack, where .gitignore keeps it out of git.
    expect(readdirSync(join(dir, ".certform", "acme")).filter((f) => f.endsWith(".key"))).toHaveLength(1);
    // The challenge responses are gone once the order is done.
    const httpAfter = await fetch(`${n1.http}/.well-known/acme-challenge/anything`);
    expect(httpAfter.status).toBe(404);

    const again = await cli(["plan", dir, "--format", "json", "--detailed-exitcode"]);
    expect(again.code, failure(again)).toBe(0);
    expect((JSON.parse(again.stdout) as Plan).summary).toMatchObject({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("inside renewBefore, plan replaces it and apply orders a new one (with the stack's account key), which both nodes serve", async () => {
    // Pebble issues for five years: a renewBefore longer than that puts the certificate inside it now.
    writeFileSync(join(dir, "stack.yaml"), stack(["api.prod.example.com"], "2000d", true));
    const planned = await cli(["plan", dir, "--format", "json"], accountEnv);
    const plan = JSON.parse(planned.stdout) as Plan;
    const change = plan.resource_changes.find((c) => c.address === "certificates.api[prod]")!;
    expect(change.action).toBe("replace");
    expect(change.reasons.join(" ")).toMatch(/renewBefore/);
    // The account key is referenced by fingerprint and re-read at apply, like every key.
    const put = plan.environments[0]!.operations.find((o) => o.address === "certificates.api[prod]" && o.op === "put")!;
    expect(put.keyRef?.field).toBe("generate.acme.key");
    expect(plan.sources).toContainEqual(expect.objectContaining({ address: "certificates.api[prod]", field: "generate.acme.key" }));

    const applied = await cli(["apply", dir, "--auto-approve"], accountEnv);
    expect(applied.stdout, failure(applied)).toContain("Apply complete!");
    const [a, b] = await Promise.all([served(n1, "api.prod.example.com"), served(n2, "api.prod.example.com")]);
    expect(a.fingerprint256).not.toBe(apiFingerprint);
    expect(b.fingerprint256).toBe(a.fingerprint256);
    apiFingerprint = a.fingerprint256;

    writeFileSync(join(dir, "stack.yaml"), stack(["api.prod.example.com"]));
    const again = await cli(["plan", dir, "--detailed-exitcode"]);
    expect(again.code, failure(again)).toBe(0);
  });

  it("a failing challenge fails apply with the CA's problem document, and the old certificate is still served", async () => {
    // Pebble's DNS sends the new host to an address where nothing listens: its tls-alpn-01 check cannot connect.
    await pebble.addA("broken.prod.example.com", "127.0.0.2");
    writeFileSync(join(dir, "stack.yaml"), stack(["api.prod.example.com", "broken.prod.example.com"]));
    const planned = await cli(["plan", dir, "--format", "json"]);
    expect((JSON.parse(planned.stdout) as Plan).resource_changes.find((c) => c.address === "certificates.api[prod]")?.action).toBe("replace");

    const applied = await cli(["apply", dir, "--auto-approve"]);
    expect(applied.code, failure(applied)).toBe(1);
    const out = applied.stdout + applied.stderr;
    // The problem document's type and detail, as Pebble sent them.
    expect(out).toMatch(/certificates\.api\[prod\]: the ACME order at https:\/\/127\.0\.0\.1:\d+\/dir failed, nothing was written: urn:ietf:params:acme:error:\w+: .*tls-alpn-01/);
    for (const gw of [n1, n2]) expect((await served(gw, "api.prod.example.com")).fingerprint256).toBe(apiFingerprint);
    expect(existsSync(join(dir, ".certform"))).toBe(true);
  });

  it("export → import keeps the order's settings: the other environment orders its own certificate", async () => {
    const zip = join(work, "prod.zip");
    const exported = await cli(["export", dir, "--env", "prod", "--out", zip]);
    expect(exported.code, failure(exported)).toBe(0);
    const target = join(work, "imported");
    const imported = await cli(["import", zip, "--env", "stage", "--out", target, "--node", "http://127.0.0.1:1"]);
    expect(imported.code, failure(imported)).toBe(0);
    expect(imported.stdout + imported.stderr).toContain(`is ordered from the ACME CA ${pebble.directory}`);
    const yaml = readdirSync(target).filter((f) => f.endsWith(".yaml")).map((f) => readFileSync(join(target, f), "utf8")).join("\n");
    expect(yaml).toContain(pebble.directory);
    expect(yaml).toMatch(/challenge: http-01/);
    expect(yaml).not.toMatch(/issuer/);
    const valid = await cli(["validate", target]);
    expect(valid.code, failure(valid)).toBe(0);
  });

  it("no output holds a private key: not the account key, not the certificates' keys", async () => {
    const accountDir = join(dir, ".certform", "acme");
    const keys = [accountKey, ...readdirSync(accountDir).map((f) => createPrivateKey(readFileSync(join(accountDir, f))))];
    for (const gw of [n1, n2]) for (const c of (await loadStore(gw.dataDir))!.state.certificates.values()) keys.push(createPrivateKey(c.keyPem));
    expect(keys.length).toBeGreaterThanOrEqual(6);
    const text = printed.join("\n");
    for (const key of keys) expect(keyEchoes(text, secretOf(key))).toEqual([]);
  });
});
