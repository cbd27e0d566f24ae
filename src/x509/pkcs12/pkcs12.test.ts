import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { exportPkcs12, makePki, tempDir, writeFiles, type Pki } from "../../../test/support/pki.js";
import { fingerprintKey } from "../fingerprint.js";
import { decodePkcs12 } from "./pkcs12.js";
import { rc2DecryptBlock, rc2ExpandKey } from "./rc2.js";
import { materialError } from "../../../test/support/material-error.js";

let pki: Pki;
beforeAll(async () => {
  pki = await makePki();
});

/** Runs openssl pkcs12 -export with extra arguments on the test PKI's leaf and chain. */
async function opensslExport(extra: string[], pass: string): Promise<Buffer> {
  const dir = await tempDir();
  const f = await writeFiles(dir, { "c.pem": pki.leaf.pem, "k.pem": pki.leaf.keyPem, "ca.pem": pki.root.pem + pki.intermediate.pem });
  const out = join(dir, "b.p12");
  execFileSync("openssl", ["pkcs12", "-export", "-in", f["c.pem"], "-inkey", f["k.pem"], "-certfile", f["ca.pem"], "-out", out, "-passout", `pass:${pass}`, ...extra], { stdio: "pipe" });
  return readFileSync(out);
}

const subjects = (certs: { subject: string }[]): string[] => certs.map((c) => c.subject.split("\n").pop()!);

describe("decodePkcs12", () => {
  it("reads OpenSSL 3's default (PBES2, AES-256-CBC, SHA-256 MAC): leaf first, ordered to the root, key and friendly name", async () => {
    const path = await exportPkcs12({ leaf: pki.leaf, chain: [pki.root.certificate, pki.intermediate.certificate], passphrase: "s3cret", friendlyName: "api-cert" });
    const p12 = decodePkcs12(readFileSync(path), "s3cret");
    expect(subjects(p12.chain)).toEqual(["CN=localhost", "CN=certform Test Intermediate CA", "CN=certform Test Root CA"]);
    expect(fingerprintKey(p12.key!)).toBe(fingerprintKey(pki.leaf.key));
    expect(p12.friendlyNames).toEqual(["api-cert"]);
  });

  it("says the passphrase is wrong (checked by the MAC first)", async () => {
    const path = await exportPkcs12({ leaf: pki.leaf, passphrase: "s3cret" });
    const e = materialError(() => decodePkcs12(readFileSync(path), "wrong"));
    expect(e.code).toBe("pkcs12-passphrase");
    expect(e.message).toBe("PKCS#12 passphrase is wrong");
  });

  it("reads the legacy 3DES format (pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC) and refuses a wrong passphrase", async () => {
    const path = await exportPkcs12({ leaf: pki.leaf, chain: [pki.intermediate.certificate], passphrase: "old", legacy3des: true });
    const p12 = decodePkcs12(readFileSync(path), "old");
    expect(p12.chain).toHaveLength(2);
    expect(p12.key).toBeDefined();
    expect(materialError(() => decodePkcs12(readFileSync(path), "new")).code).toBe("pkcs12-passphrase");
  });

  it("reads `openssl pkcs12 -legacy` (certificates under RC2-40)", async () => {
    const info = (() => {
      try {
        return execFileSync("openssl", ["list", "-providers", "-provider", "legacy"], { encoding: "utf8", stdio: "pipe" });
      } catch {
        return "";
      }
    })();
    if (!info.includes("legacy")) return; // this openssl cannot write RC2; the RC2 vectors below still run
    const data = await opensslExport(["-legacy"], "pw");
    const p12 = decodePkcs12(data, "pw");
    expect(p12.chain).toHaveLength(3);
    expect(p12.key).toBeDefined();
  });

  it("reads an empty passphrase and a bundle without MAC", async () => {
    expect(decodePkcs12(await opensslExport([], ""), "").chain).toHaveLength(3);
    const nomac = await opensslExport(["-nomac"], "pw");
    expect(decodePkcs12(nomac, "pw").key).toBeDefined();
    expect(materialError(() => decodePkcs12(nomac, "bad")).code).toBe("pkcs12-passphrase");
  });

  it("reads a non-ASCII passphrase", async () => {
    expect(decodePkcs12(await opensslExport([], "pässwörd"), "pässwörd").chain).toHaveLength(3);
  });

  it("reads a bundle with certificates only", async () => {
    const p12 = decodePkcs12(await opensslExport(["-nokeys"], "pw"), "pw");
    expect(p12.key).toBeUndefined();
    expect(subjects(p12.chain)[0]).toBe("CN=localhost");
  });

  it("refuses data that is not PKCS#12", () => {
    expect(materialError(() => decodePkcs12(pki.leaf.der, "pw")).code).toBe("undecodable");
  });

  it("RC2 matches the RFC 2268 test vectors", () => {
    const v1 = rc2DecryptBlock(rc2ExpandKey(Buffer.alloc(8), 63), Buffer.from("ebb773f993278eff", "hex"));
    expect(v1.toString("hex")).toBe("0000000000000000");
    const v2 = rc2DecryptBlock(rc2ExpandKey(Buffer.alloc(8, 0xff), 64), Buffer.from("278b27e42e2f0d49", "hex"));
    expect(v2.toString("hex")).toBe("ffffffffffffffff");
    const v3 = rc2DecryptBlock(rc2ExpandKey(Buffer.from("3000000000000000", "hex"), 64), Buffer.from("30649edf9be7d2c2", "hex"));
    expect(v3.toString("hex")).toBe("1000000000000001");
  });
});
