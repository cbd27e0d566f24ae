import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readStack } from "../src/stack/index.js";
import { certform } from "./support/cli.js";
import { keyEchoes } from "./support/key-echoes.js";
import { keyToDer, leaf, makeCa, type Issued } from "./support/pki.js";
import { ENVIRONMENTS, HEADER, only, positionOf, writeStackDir } from "./support/stack.js";

let api: Issued;
let keyBody: string;

beforeAll(async () => {
  api = await leaf({ hosts: ["api.example.com"] });
  keyBody = api.keyPem.split("\n").filter((l) => l && !l.startsWith("-----")).join("");
});

function expectNoKeyMaterial(text: string) {
  expect(text).not.toContain("PRIVATE KEY");
  expect(keyEchoes(text, keyToDer(api.key))).toEqual([]);
}

async function run(body: string, env: NodeJS.ProcessEnv = {}, files: Record<string, string | Buffer> = {}) {
  const text = HEADER + ENVIRONMENTS + body;
  const dir = writeStackDir({ "stack.yaml": text, ...files });
  const { diagnostics } = await readStack([join(dir, "stack.yaml")], { env, capture: false });
  return { diagnostics, text, dir };
}

describe("a private key never reaches a message", () => {
  it("a key pasted into a path, a host, a URL, an alias or a route is refused without echoing it", async () => {
    const env = { K: api.keyPem, KB: keyBody };
    const r = await run(
      `certificates:
  a: { certificate: { file: "\${env:K}" }, key: { file: a.key } }
  b: { generate: { hosts: ["b.example.com"] }, hosts: ["\${env:K}"] }
  c: { certificate: { file: c.pem }, key: { env: KB } }
trustedCertificates:
  t: { alias: "\${env:KB}", certificate: { url: "https://127.0.0.1:1" } }
endpoints:
  e: { url: "\${env:K}", path: "/\${env:KB}" }
`,
      env,
      { "c.pem": api.pem },
    );
    expect(r.diagnostics.filter((d) => d.severity === "error").length).toBeGreaterThanOrEqual(5);
    expectNoKeyMaterial(JSON.stringify(r.diagnostics));
    expect(only(r.diagnostics, "key-inline").address).toBe("certificates.a[dev]");
  });

  it("a private key written anywhere in a stack file is an error at its place", async () => {
    const pem = JSON.stringify(`${api.pem}${api.keyPem}`);
    const r = await run(`trustedCertificates:\n  t: { certificate: { pem: ${pem} } }\n`);
    const d = only(r.diagnostics, "key-inline");
    expect(d).toMatchObject(positionOf(r.text, "-----BEGIN PRIVATE KEY"));
    expectNoKeyMaterial(JSON.stringify(r.diagnostics));
  });

  it("a key base64-encoded into an inline certificate source is refused", async () => {
    const b64 = Buffer.from(`${api.pem}${api.keyPem}`).toString("base64");
    const r = await run(`trustedCertificates:\n  t: { certificate: { base64: "${b64}", encoding: BASE64PEM } }\n`);
    expect(r.diagnostics.some((d) => d.severity === "error" && d.address === "trustedCertificates.t[dev]")).toBe(true);
    expectNoKeyMaterial(JSON.stringify(r.diagnostics));
  });

  it("validate prints no key material in text or JSON when keys are in the wrong places", async () => {
    const text = `${HEADER}${ENVIRONMENTS}certificates:\n  api: { certificate: { file: api.key }, key: { file: api.pem } }\n`;
    const dir = writeStackDir({ "stack.yaml": text, "api.key": api.keyPem, "api.pem": api.pem });
    for (const format of ["text", "json", "markdown"]) {
      const r = await certform(["validate", "--format", format, dir], { env: { K: api.keyPem } });
      expect(r.code).toBe(1);
      expectNoKeyMaterial(r.stdout + r.stderr);
    }
  });
});

describe("material edge cases", () => {
  it("a server certificate from a PKCS#12 without a key is refused", async () => {
    const ca = await makeCa();
    const dir = writeStackDir({ "ca.pem": ca.pem });
    execFileSync("openssl", ["pkcs12", "-export", "-nokeys", "-in", join(dir, "ca.pem"), "-out", join(dir, "ca.p12"), "-passout", "pass:secret"], { stdio: "pipe" });
    const text = `${HEADER}${ENVIRONMENTS}certificates:\n  q: { certificate: { pkcs12: ca.p12, passphrase: "\${env:P12}" } }\n  r: { certificate: { pkcs12: ca.p12 }, key: { file: k.pem } }\n`;
    writeFileSync(join(dir, "stack.yaml"), text);
    const { diagnostics } = await readStack([join(dir, "stack.yaml")], { env: { P12: "secret" }, capture: false });
    expect(only(diagnostics, "pkcs12-no-key")).toMatchObject({ address: "certificates.q[dev]", ...positionOf(text, "ca.p12") });
    expect(only(diagnostics, "pkcs12-passphrase-required").address).toBe("certificates.r[dev]");
  });

  it("an error in a generate issuer's certificate points at that source", async () => {
    const ca = await makeCa();
    const r = await run(
      `certificates:\n  g:\n    generate:\n      hosts: ["g.example.com"]\n      issuer: { certificate: { file: missing-ca.pem }, key: { file: ca.key } }\n`,
      {},
      { "ca.key": ca.keyPem },
    );
    expect(only(r.diagnostics, "file-not-found")).toMatchObject(positionOf(r.text, "missing-ca.pem"));
  });

  it("hosts taken from SANs count for duplicates", async () => {
    const r = await run(
      `certificates:\n  a: { certificate: { file: api.pem }, key: { file: api.key } }\n  b: { certificate: { file: api.pem }, key: { file: api.key } }\n`,
      {},
      { "api.pem": api.pem, "api.key": api.keyPem },
    );
    expect(r.diagnostics.find((d) => d.code === "host-duplicate")?.message).toContain("api.example.com is also served by certificates.a");
  });
});
