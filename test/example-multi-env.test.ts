import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VerifyReportSchema } from "../src/model/verify-report.js";
import { certform, REPO } from "./support/cli.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";

// The shipped example, as a new user would run it: examples/multi-env applied to real nodes (dev: one,
// test: one, prod: two, tokens where the example sets them), then verified. Only the node URLs differ from
// the committed files: the nodes here listen on free ports.

const TOKENS = { CERTFORM_TEST_TOKEN: "test-token-for-the-example", CERTFORM_PROD_TOKEN: "prod-token-for-the-example" };
let dir: string;
const gws: Record<string, GatewayProcess[]> = {};

function served(port: number, servername: string, version: "TLSv1.2" | "TLSv1.3"): Promise<{ fingerprint256: string; keyType: string }> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false, minVersion: version, maxVersion: version }, () => {
      const cert = s.getPeerX509Certificate()!;
      resolve({ fingerprint256: cert.fingerprint256, keyType: cert.publicKey.asymmetricKeyType ?? "" });
      s.end();
    });
    s.on("error", reject);
  });
}

beforeAll(async () => {
  const [dev, test, prodA, prodB] = await Promise.all([
    startGateway({ environment: "dev", node: "dev-1" }),
    startGateway({ environment: "test", node: "test-1", token: TOKENS.CERTFORM_TEST_TOKEN }),
    startGateway({ environment: "prod", node: "prod-1", token: TOKENS.CERTFORM_PROD_TOKEN }),
    startGateway({ environment: "prod", node: "prod-2", token: TOKENS.CERTFORM_PROD_TOKEN }),
  ]);
  Object.assign(gws, { dev: [dev!], test: [test!], prod: [prodA!, prodB!] });
  dir = join(mkdtempSync(join(tmpdir(), "certform-example-")), "multi-env");
  cpSync(join(REPO, "examples", "multi-env"), dir, { recursive: true });
  const stackFile = join(dir, "stack.yaml");
  const text = readFileSync(stackFile, "utf8")
    .replace('nodes: ["http://127.0.0.1:8081"]', `nodes: ["${dev!.admin}"]`)
    .replace('nodes: ["http://127.0.0.1:8085"]', `nodes: ["${test!.admin}"]`)
    .replace('nodes: ["http://127.0.0.1:8091", "http://127.0.0.1:8092"]', `nodes: ["${prodA!.admin}", "${prodB!.admin}"]`);
  expect(text).not.toContain("127.0.0.1:80");
  writeFileSync(stackFile, text);
});
afterAll(async () => {
  await Promise.all(Object.values(gws).flat().map((g) => g.stop()));
});

describe("examples/multi-env on real nodes", () => {
  it("applies, verifies clean, and serves each host its own certificate for TLS 1.2 and 1.3 clients", async () => {
    const applied = await certform(["apply", dir, "--auto-approve"], { env: TOKENS });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    for (const env of ["dev", "test", "prod"]) expect(applied.stdout).toContain(`${env}: verified over TLS on every node`);

    const verify = await certform(["verify", dir, "--format", "json"], { env: TOKENS });
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const report = VerifyReportSchema.parse(JSON.parse(verify.stdout));
    expect(report.problems).toEqual([]);
    expect(report.environments.map((e) => e.name)).toEqual(["dev", "test", "prod"]);

    // dev: an EC default (preview-wildcard) beside the RSA checkout certificate.
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      expect((await served(gws.dev![0]!.listenPort, "checkout.dev.payments.example.com", version)).keyType).toBe("rsa");
      expect((await served(gws.dev![0]!.listenPort, "api.dev.payments.example.com", version)).keyType).toBe("ec");
      expect((await served(gws.dev![0]!.listenPort, "review-42.preview.dev.payments.example.com", version)).keyType).toBe("ec");
    }
    // prod: an RSA-3072 default (edge) beside EC hosts, the same certificate on both nodes.
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      const [a, b] = await Promise.all(gws.prod!.map((g) => served(g.listenPort, "api.payments.example.com", version)));
      expect(a!.keyType).toBe("ec");
      expect(b!.fingerprint256).toBe(a!.fingerprint256);
    }

    const again = await certform(["apply", dir, "--auto-approve"], { env: TOKENS });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes. The gateways match the stack.\nVerified over TLS: every node serves what the stack declares.");
  });
});
