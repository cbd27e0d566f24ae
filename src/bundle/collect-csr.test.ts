import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makePki, type Pki } from "../../test/support/pki.js";
import { CertificateResourceSchema, LABEL } from "../model/index.js";
import type { LiveObject, LiveRequest } from "../providers/provider.js";
import { bundleZip, finishManifest } from "./bundle-file.js";
import type { Declared } from "./collect-certificate.js";
import { collectBundle } from "./collect.js";
import { fromCertform } from "./from-certform.js";
import { importBundle } from "./import.js";
import { renderStack } from "./stack-yaml.js";

// Certificates an outside CA signs (generate: { csr }) in a bundle: as their request's settings, never a key,
// whether installed or still pending; and back out of import as generate: { csr } alone.

const FINGERPRINT = Array.from({ length: 32 }, () => "AB").join(":");
const labels = (address: string, stack = "pki") => ({ [LABEL.stack]: stack, [LABEL.address]: address, [LABEL.hash]: "h" });
const request = (name: string, over: Partial<LiveRequest> = {}): LiveRequest => ({ name, labels: labels(`certificates.${name}[dev]`), keyFingerprint256: FINGERPRINT, keyType: "ec-p256", hosts: [`${name}.example.com`], ...over });
const declared = (spec: unknown, hosts: string[]): Declared => ({ spec: CertificateResourceSchema.parse(spec), hosts });

let pki: Pki;
beforeAll(async () => {
  pki = await makePki({ hosts: ["api.example.com"] });
});

function collect(all = false) {
  const api: LiveObject = { collection: "certificates", name: "api", labels: labels("certificates.api[dev]"), fields: { chain: pki.chainPem, hosts: ["api.example.com"], default: false, generated: false } };
  return collectBundle({
    stack: "pki",
    environment: "dev",
    gateway: "embedded",
    revision: 7,
    version: "0.1.0",
    objects: [api],
    // api's request is its renewal (it moves with the certificate); other's belongs to another stack.
    requests: [request("api"), request("partner", { keyType: "rsa-3072", subject: "CN=partner.example.com, O=Example" }), request("other", { labels: labels("certificates.other[dev]", "elsewhere") })],
    all,
    declared: new Map([
      ["api", declared({ generate: { csr: { subject: "CN=api.example.com, O=Example", hosts: ["api.example.com"], keyType: "ec-p384" }, renewBefore: "20d" }, certificate: { file: "signed.pem" } }, ["api.example.com"])],
      ["partner", declared({ generate: { csr: { hosts: ["partner.example.com"] }, renewBefore: "10d" }, default: true }, ["partner.example.com"])],
    ]),
    keys: { passphrase: "asked for keys", iterations: 1000 },
  });
}

describe("csr: certificates in a bundle", () => {
  it("carry their settings and the certificate's public facts; no key, even when keys were asked for", () => {
    const { manifest, files } = collect();
    expect([...files.keys()]).toEqual(["certificates/api.pem"]);
    expect(manifest.objects).toEqual([
      expect.objectContaining({ name: "api", fingerprint256: pki.leaf.certificate.fingerprint256, generated: false, csr: { subject: "CN=api.example.com, O=Example", hosts: ["api.example.com"], keyType: "ec-p384", renewBefore: "20d" }, key: expect.objectContaining({ status: "not-exportable" }) }),
    ]);
    expect(manifest.requests).toEqual([
      expect.objectContaining({ name: "partner", address: "certificates.partner", hosts: ["partner.example.com"], default: true, csr: { subject: "CN=partner.example.com, O=Example", hosts: ["partner.example.com"], keyType: "rsa-3072", renewBefore: "10d" }, keyFingerprint256: FINGERPRINT }),
    ]);
    expect(manifest.missing.map((m) => m.what)).toEqual(["key of certificates.api", "key of certificates.partner"]);
    // --all takes the other stack's request too, with the defaults a stack would have given it.
    expect(collect(true).manifest.requests?.map((r) => [r.name, r.owned, r.csr.renewBefore])).toEqual([["other", false, "30d"], ["partner", true, "10d"]]);
  });

  it("import declares generate: { csr } alone, and notes the CA step for the target", () => {
    const { manifest: body, files } = collect();
    const manifest = finishManifest(body, files);
    const model = fromCertform(manifest, new Map([...files].map(([p, t]) => [p, Buffer.from(t)])), "prod");
    expect(model.certificates.map((c) => [c.name, c.chainPem, c.key, c.csr?.keyType])).toEqual([["api", undefined, undefined, "ec-p384"], ["partner", undefined, undefined, "rsa-3072"]]);
    expect(model.notes.join("\n")).toContain("`certform csr certificates.partner --env prod`");
    const rendered = renderStack({ model, stackName: "pki", environment: "prod", gateway: { type: "embedded", nodes: [] }, version: "0.1.0" });
    expect([...rendered.files.keys()]).toEqual(["pki.yaml"]);
    expect(rendered.placeholders).toEqual([]);
    const yaml = rendered.files.get("pki.yaml")!;
    expect(yaml).toContain('  partner:\n    generate: { csr: { subject: "CN=partner.example.com, O=Example", hosts: [partner.example.com], keyType: rsa-3072 }, renewBefore: 10d }');
    expect(yaml).toContain("    default: true\n");
  });

  it("import to an HAProxy gateway says that it cannot make the keys", async () => {
    const { manifest: body, files } = collect();
    const work = mkdtempSync(join(tmpdir(), "certform-csr-bundle-"));
    try {
      writeFileSync(join(work, "dev.zip"), await bundleZip(finishManifest(body, files), files));
      const result = importBundle({ input: join(work, "dev.zip"), environment: "edge", outDir: join(work, "edge"), mappings: [], nodes: [], gatewayType: "haproxy", version: "0.1.0" });
      expect(result.notes.join("\n")).toContain("certificates.api, certificates.partner: an HAProxy gateway cannot make keys for signing requests");
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("import refuses a manifest that names a certificate twice, as installed and as pending", () => {
    const { manifest: body, files } = collect();
    const twice = finishManifest({ ...body, requests: [...body.requests!, { ...body.requests![0]!, name: "api", address: "certificates.api" }] }, files);
    expect(() => fromCertform(twice, new Map([...files].map(([p, t]) => [p, Buffer.from(t)])), "prod")).toThrow(/names certificates\.api twice/);
  });
});
