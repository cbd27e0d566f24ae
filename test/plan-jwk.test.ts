import { createPublicKey, type JsonWebKeyInput } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { planPaths } from "../src/plan/index.js";
import { writePlan } from "./support/apply-ops.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

let gw: GatewayProcess;
let ca: Issued;
let s1: Issued;
let s2: Issued;

async function plan(body: string, cert: Issued): Promise<Plan> {
  const dir = writeStackDir({
    "stack.yaml": `apiVersion: certform/v1\nkind: Stack\nname: jwks\nenvironments:\n  dev: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }\n${body}`,
    "sig.pem": toPem([cert.certificate, ca.certificate]),
    "sig.key": cert.keyPem,
  });
  const result = await planPaths([join(dir, "stack.yaml")], { prune: true });
  if ("failed" in result) throw new Error(JSON.stringify(result.failed));
  return result.plan;
}
const change = (p: Plan, address: string) => p.resource_changes.find((c) => c.address === address)!;
const jwksByName = async () => {
  const items = (await api(gw.admin, "GET", "/v1/jwks")).body.items as { name: string; jwk: JsonWebKeyInput["key"]; source: unknown; labels: Record<string, string> }[];
  return new Map(items.map((j) => [j.name, j]));
};
const keyOf = (jwk: JsonWebKeyInput["key"]) => createPublicKey({ key: jwk, format: "jwk" });

beforeAll(async () => {
  ca = await makeCa();
  [s1, s2] = await Promise.all([issue({ issuer: ca, hosts: ["sig.example.com"] }), issue({ issuer: ca, hosts: ["sig.example.com"] })]);
  gw = await startGateway({ environment: "dev", node: "dev-1" });
});
afterAll(() => gw?.stop());

const CERT = "certificates:\n  sig: { certificate: { file: sig.pem }, key: { file: sig.key } }\n";
const JWKS = `jwks:
  follows: { certificate: sig, onCertificateChange: update, onCertificateDelete: delete }
  keeps: { certificate: sig, kid: keeps-1, onCertificateChange: disconnect, onCertificateDelete: disconnect }
`;

describe("JWKs follow their certificate's declared semantics", () => {
  it("after writing a plan, the next plan shows no changes", async () => {
    const first = await plan(CERT + JWKS, s1);
    expect(first.summary).toMatchObject({ create: 3 });
    await writePlan(first, { "certificates.sig[dev]": s1.keyPem });
    const again = await plan(CERT + JWKS, s1);
    expect(again.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, "no-op": 3 });
  });

  it("on change: update takes the new key, disconnect keeps the old one and drops the link", async () => {
    const p = await plan(CERT + JWKS, s2);
    expect(change(p, "certificates.sig[dev]").action).toBe("replace");
    expect(change(p, "certificates.sig[dev]").impact.jwks).toEqual(["jwks.follows[dev]", "jwks.keeps[dev]"]);
    expect(change(p, "jwks.follows[dev]")).toMatchObject({ action: "update", reasons: ["takes the new key: certificates.sig[dev] is replaced (onCertificateChange: update)"] });
    expect(change(p, "jwks.keeps[dev]")).toMatchObject({ action: "update", reasons: ["keeps its key and drops the link: certificates.sig[dev] is replaced (onCertificateChange: disconnect)"] });
    await writePlan(p, { "certificates.sig[dev]": s2.keyPem });
    const jwks = await jwksByName();
    expect(keyOf(jwks.get("follows")!.jwk).equals(s2.certificate.publicKey)).toBe(true);
    expect(keyOf(jwks.get("keeps")!.jwk).equals(s1.certificate.publicKey)).toBe(true);
    expect(jwks.get("keeps")!.source).toBeNull();
    const again = await plan(CERT + JWKS, s2);
    expect(again.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, "no-op": 3 });
  });

  it("on delete: delete removes the JWK, disconnect keeps it standalone and no longer owned", async () => {
    // Link "keeps" again first, so that deleting the certificate is what disconnects it.
    const relink = CERT + JWKS.replace("onCertificateChange: disconnect, onCertificateDelete: disconnect", "onCertificateChange: update, onCertificateDelete: disconnect");
    await writePlan(await plan(relink, s2), { "certificates.sig[dev]": s2.keyPem });
    expect((await jwksByName()).get("keeps")!.source).not.toBeNull();

    const p = await plan("", s2);
    expect(change(p, "certificates.sig[dev]").action).toBe("delete");
    expect(change(p, "jwks.follows[dev]")).toMatchObject({ action: "delete", reasons: ["certificates.sig[dev] is deleted (onCertificateDelete: delete)"] });
    expect(change(p, "jwks.keeps[dev]")).toMatchObject({ action: "update", reasons: [expect.stringContaining("onCertificateDelete: disconnect")] });
    await writePlan(p);
    const jwks = await jwksByName();
    expect([...jwks.keys()]).toEqual(["keeps"]);
    expect(jwks.get("keeps")!.labels["certform.dev/stack"]).toBeUndefined();
    expect(keyOf(jwks.get("keeps")!.jwk).equals(s2.certificate.publicKey)).toBe(true);
    expect((await plan("", s2)).summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 });
  });
});
