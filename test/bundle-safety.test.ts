import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quiet } from "./support/capture.js";
import { DEFAULT_LIMITS } from "../src/bundle/limits.js";
import { rawZip, type RawEntry } from "./support/raw-zip.js";
import { readZip } from "../src/bundle/zip-read.js";
import { writeZip } from "../src/bundle/zip-write.js";
import { runApply } from "../src/cli/apply-run.js";
import { runExport } from "../src/cli/export-run.js";
import { runImport } from "../src/cli/import-run.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { issue, makeCa, toPem } from "./support/pki.js";
import { writeStackDir } from "./support/stack.js";

// Import refuses a bundle that was changed or that could write outside its directory, before it writes
// anything: not the stack, not a staging directory, not a file outside.

let gw: GatewayProcess;
let entries: Map<string, Buffer>;
let work: string;
const afterwards: string[] = [];

/** Imports `input` into a fresh directory and expects a refusal that wrote nothing at all. */
async function refused(input: string, expected: RegExp, env: Record<string, string> = {}): Promise<string> {
  const parent = mkdtempSync(join(work, "import-"));
  const out = join(parent, "stack");
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const r = await quiet(() => runImport(input, { env: "prod", out, gatewayType: "embedded", format: "text" }));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(expected);
    expect(r.out).toContain("Nothing was written.");
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(join(parent, "evil.txt"))).toBe(false);
    return r.out;
  } finally {
    process.env = saved;
  }
}

const realEntries = (): RawEntry[] => [...entries].map(([name, data]) => ({ name, data }));
const save = (name: string, data: Buffer) => {
  const path = join(work, name);
  writeFileSync(path, data);
  return path;
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "certform-bundle-safety-"));
  const ca = await makeCa();
  const leaf = await issue({ issuer: ca, hosts: ["api.example.com"] });
  gw = await startGateway({ environment: "test", node: "t-1" });
  const stack = writeStackDir({
    "api.pem": toPem([leaf.certificate, ca.certificate]),
    "api.key": leaf.keyPem,
    "ca.pem": ca.pem,
    "s.yaml": `apiVersion: certform/v1\nkind: Stack\nname: shop\nenvironments:\n  test: { gateway: { type: embedded, nodes: ["${gw.admin}"] } }\ncertificates:\n  api: { certificate: { file: api.pem }, key: { file: api.key } }\ntrustedCertificates:\n  ca: { certificate: { file: ca.pem } }\n`,
  });
  expect((await quiet(() => runApply({ paths: [stack] }, { format: "text", color: false, autoApprove: true, parallelism: "2", verify: true, prune: true }, "apply"))).code).toBe(0);
  expect((await quiet(() => runExport([stack], { env: ["test"], out: join(work, "real.zip"), format: "zip", includePrivateKeys: false }))).code).toBe(0);
  entries = readZip(readFileSync(join(work, "real.zip")), DEFAULT_LIMITS);
  afterwards.push(stack);
  process.env.CERTFORM_BUNDLE_PASSPHRASE = "the right passphrase";
  expect((await quiet(() => runExport([stack], { env: ["test"], out: join(work, "keys.zip"), format: "zip", includePrivateKeys: true }))).code).toBe(0);
  delete process.env.CERTFORM_BUNDLE_PASSPHRASE;
});
afterAll(async () => {
  await gw?.stop();
  for (const dir of [work, ...afterwards]) rmSync(dir, { recursive: true, force: true });
});

describe("import refuses unsafe or changed bundles, writing nothing", () => {
  it("imports the real bundle (the baseline the other cases change)", async () => {
    const r = await quiet(() => runImport(join(work, "real.zip"), { env: "prod", out: join(work, "ok"), gatewayType: "embedded", format: "text" }));
    expect(r.code).toBe(0);
    expect(readdirSync(join(work, "ok")).sort()).toEqual(["certificates", "shop.yaml", "trusted"]);
  });

  it("a tampered file: refused, naming the file", async () => {
    const changed = new Map(entries);
    const other = await makeCa({ subject: "CN=Mallory CA" });
    changed.set("trusted/ca.pem", Buffer.from(other.pem));
    const out = await refused(save("tampered.zip", await writeZip([...changed])), /error\[checksum-mismatch\] trusted\/ca\.pem does not match its SHA-256 checksum/);
    expect(out).toContain("never import a bundle that was changed");
  });

  it("a file added to the bundle, or one taken out: refused", async () => {
    await refused(save("extra.zip", await writeZip([...entries, ["certificates/extra.pem", Buffer.from("x")]])), /certificates\/extra\.pem" is in the bundle but not listed/);
    await refused(save("less.zip", await writeZip([...entries].filter(([n]) => n !== "certificates/api.pem"))), /certificates\/api\.pem is listed in manifest\.json but missing/);
  });

  it("zip slip: an entry with .. or an absolute path is refused before anything is unpacked", async () => {
    await refused(save("slip.zip", rawZip([...realEntries(), { name: "../evil.txt", data: Buffer.from("pwned") }])), /error\[unsafe-path\] entry "\.\.\/evil\.txt".*zip slip/);
    await refused(save("abs.zip", rawZip([...realEntries(), { name: "/tmp/evil.txt", data: Buffer.from("pwned") }])), /absolute path/);
    await refused(save("win.zip", rawZip([...realEntries(), { name: "..\\evil.txt", data: Buffer.from("pwned") }])), /backslash/);
  });

  it("a symbolic link, in a ZIP or in a directory: refused", async () => {
    await refused(save("link.zip", rawZip([...realEntries(), { name: "certificates/link.pem", data: Buffer.from("/etc/passwd"), mode: 0o120777 }])), /error\[link\].*symbolic link/);
    const dir = mkdtempSync(join(work, "wso2-dir-"));
    mkdirSync(join(dir, "Endpoint-certificates"));
    writeFileSync(join(dir, "Endpoint-certificates", "endpoint_certificates.yaml"), "data: []\n");
    symlinkSync("/etc/passwd", join(dir, "Endpoint-certificates", "a.crt"));
    await refused(dir, /Endpoint-certificates\/a\.crt" is a symbolic link/);
  });

  it("an entry over the size limit, declared or hidden behind a lying header: refused", async () => {
    const big = Buffer.alloc(DEFAULT_LIMITS.maxEntryBytes + 1);
    await refused(save("big.zip", rawZip([...realEntries(), { name: "certificates/big.pem", data: big }])), /error\[oversize\] entry "certificates\/big\.pem" unpacks to more than 16 MiB/);
    await refused(save("bomb.zip", rawZip([...realEntries(), { name: "certificates/bomb.pem", data: big, claimSize: 100 }])), /certificates\/bomb\.pem/);
  });

  it("a bundle rewritten with matching checksums still cannot write outside its directory or carry a plain key", async () => {
    const reseal = async (name: string, change: (m: any, files: Map<string, Buffer>) => void) => {
      const files = new Map(entries);
      const m = JSON.parse(files.get("manifest.json")!.toString());
      change(m, files);
      m.files = [...files.keys()].filter((p) => p !== "manifest.json").sort().map((path) => ({ path, sha256: createHash("sha256").update(files.get(path)!).digest("hex"), size: files.get(path)!.length }));
      files.set("manifest.json", Buffer.from(JSON.stringify(m)));
      return save(name, await writeZip([...files]));
    };
    await refused(await reseal("named.zip", (m) => (m.objects[0].name = "../../evil")), /manifest\.json does not follow the bundle format at objects\.0\.name/);
    await refused(await reseal("stackname.zip", (m) => (m.source.stack = "../evil")), /at source\.stack/);
    const plainKey = Buffer.from(`${entries.get("trusted/ca.pem")!.toString()}${(await issue()).keyPem}`);
    await refused(await reseal("keyin.zip", (_m, f) => f.set("trusted/ca.pem", plainKey)), /trusted\/ca\.pem: .*key/);
    const disguised = (await issue()).keyPem.replace(/PRIVATE KEY/g, "ENCRYPTED PRIVATE KEY");
    await refused(
      await reseal("disguised.zip", (m, f) => {
        f.set("keys/api.key", Buffer.from(disguised));
        m.objects.find((o: any) => o.kind === "certificates").key = { status: "included", file: "keys/api.key" };
      }),
      /keys\/api\.key is not an encrypted PKCS#8 key/,
    );
  });

  it("a JSON bundle with a path that leaves the bundle: refused", async () => {
    const doc = { format: "certform-bundle", format_version: "1", contents: { "../evil.txt": "pwned" } };
    await refused(save("slip.json", Buffer.from(JSON.stringify(doc))), /"\.\.\/evil\.txt".*zip slip/);
  });

  it("an output directory that is not empty, or a passphrase that does not open the keys: refused", async () => {
    const parent = mkdtempSync(join(work, "busy-"));
    writeFileSync(join(parent, "keep.txt"), "mine");
    const r = await quiet(() => runImport(join(work, "real.zip"), { env: "prod", out: parent, gatewayType: "embedded", format: "text" }));
    expect(r.code).toBe(1);
    expect(r.out).toContain("is not empty");
    expect(readdirSync(parent)).toEqual(["keep.txt"]);
    await refused(join(work, "keys.zip"), /CERTFORM_BUNDLE_PASSPHRASE does not open keys\/api\.key/, { CERTFORM_BUNDLE_PASSPHRASE: "a wrong one" });
  });
});
