// Property-based tests (fast-check) of the material decoders: whatever the input (random bytes,
// valid material mutated or cut short, PEM armour around junk), each gives a result or a clean
// MaterialError, never a TypeError, RangeError, stack overflow or hang. Runs are bounded and seeded
// from fast-check's default (printed on failure, to replay).
import fc from "fast-check";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { keyToDer, makeKeystore, makePki, tempDir, writeFiles, type Pki } from "../../test/support/pki.js";
import { decodeBase64 } from "./base64.js";
import { decodeCertificates } from "./decode-certificates.js";
import { decodePrivateKey } from "./decode-key.js";
import { sniffDer, splitDerSequence } from "./der-sniff.js";
import { MaterialError } from "./errors.js";
import { asText } from "./input-form.js";
import { PemError, parsePemBlocks } from "./pem.js";
import { decodeKeystore, keystoreEntry, openKeystoreKey } from "./keystore/keystore.js";
import { decodePkcs12 } from "./pkcs12/pkcs12.js";

const RUNS = Number(process.env.CERTFORM_FUZZ_RUNS ?? 300);

/** Runs `fn`; anything it throws other than the decoders' own error types fails the property. */
function clean(fn: () => unknown): boolean {
  try {
    fn();
  } catch (err) {
    if (err instanceof MaterialError || err instanceof PemError) return true;
    throw err;
  }
  return true;
}

let pki: Pki;
let samples: { certDer: Buffer; chainPem: string; keyDer: Buffer; encKeyDer: Buffer; p12: Buffer; p7: Buffer; jks: Buffer };

beforeAll(async () => {
  pki = await makePki({ hosts: ["fuzz.example"] });
  const dir = await tempDir("certform-fuzz-");
  const files = await writeFiles(dir, { "leaf.pem": pki.leaf.pem, "key.pem": pki.leaf.keyPem, "chain.pem": pki.chainPem });
  const p12 = join(dir, "b.p12");
  execFileSync("openssl", ["pkcs12", "-export", "-in", files["leaf.pem"], "-inkey", files["key.pem"], "-certfile", files["chain.pem"], "-passout", "pass:pw", "-iter", "16", "-out", p12], { stdio: "pipe" });
  const p7 = join(dir, "b.p7b");
  execFileSync("openssl", ["crl2pkcs7", "-nocrl", "-certfile", files["chain.pem"], "-outform", "DER", "-out", p7], { stdio: "pipe" });
  samples = {
    certDer: pki.leaf.der,
    chainPem: pki.chainPem,
    keyDer: keyToDer(pki.leaf.key),
    encKeyDer: keyToDer(pki.leaf.key, { passphrase: "pw" }),
    p12: readFileSync(p12),
    p7: readFileSync(p7),
    jks: readFileSync(await makeKeystore({ type: "JKS", passphrase: "fuzz-pass", keys: [{ alias: "leaf", leaf: pki.leaf, chain: [pki.intermediate.certificate] }], trusted: [{ alias: "root", pem: pki.root.pem }] })),
  };
}, 60_000);

/** A valid sample with some bytes overwritten, some removed or inserted, or cut short. */
function mutated(sample: () => Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat(), byte: fc.constant(0) }),
    fc.record({ kind: fc.constant("drop" as const), at: fc.nat(), byte: fc.constant(0) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let b = Buffer.from(sample());
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % b.length;
      if (e.kind === "set" && b.length > 0) b[at] = e.byte;
      else if (e.kind === "cut") b = b.subarray(0, at);
      else if (e.kind === "drop") b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
      else if (e.kind === "insert") b = Buffer.concat([b.subarray(0, at), Buffer.from([e.byte]), b.subarray(at)]);
    }
    return b;
  });
}

const bytes = fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a));
// DER-looking junk: a SEQUENCE tag, then anything, including long and indefinite lengths.
const derish = fc.uint8Array({ maxLength: 256 }).map((a) => Buffer.concat([Buffer.from([0x30]), Buffer.from(a)]));

describe("DER decoders never throw anything but a MaterialError", () => {
  it("on random bytes and DER-looking junk", () => {
    fc.assert(
      fc.property(fc.oneof(bytes, derish), (b) => {
        expect(["string", "undefined"]).toContain(typeof asText(b));
        expect(typeof sniffDer(b)).toBe("string");
        splitDerSequence(b);
        return clean(() => decodeCertificates(b)) && clean(() => decodePrivateKey(b)) && clean(() => decodePkcs12(b, "pw"));
      }),
      { numRuns: RUNS },
    );
  });

  it("on mutated and truncated certificates, PKCS#7 bundles and keys", () => {
    fc.assert(
      fc.property(mutated(() => samples.certDer), (b) => clean(() => decodeCertificates(b))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(mutated(() => samples.p7), (b) => clean(() => decodeCertificates(b))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(mutated(() => samples.keyDer), mutated(() => samples.encKeyDer), (plain, enc) => clean(() => decodePrivateKey(plain)) && clean(() => decodePrivateKey(enc, "pw"))),
      { numRuns: RUNS },
    );
  });

  it("on mutated and truncated PKCS#12 bundles", () => {
    fc.assert(
      fc.property(mutated(() => samples.p12), (b) => clean(() => decodePkcs12(b, "pw"))),
      { numRuns: RUNS },
    );
  });

  it("on mutated and truncated JKS keystores, their integrity unchecked so that the parser and the key see the damage", () => {
    const read = (b: Buffer) => {
      const ks = decodeKeystore(b, "fuzz.jks", undefined, { unverified: true });
      for (const e of ks.entries) if (e.type === "privateKey") openKeystoreKey(ks, keystoreEntry(ks, e.alias, "privateKey"), "fuzz-pass");
    };
    fc.assert(
      fc.property(mutated(() => samples.jks), (b) => clean(() => read(b)) && clean(() => decodeKeystore(b, "fuzz.jks", "fuzz-pass"))),
      { numRuns: RUNS },
    );
  });

  it("on nesting of any depth", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30_000 }), fc.boolean(), (depth, indefinite) => {
        const head = indefinite ? Buffer.from("3080".repeat(depth), "hex") : Buffer.alloc(0);
        const der = indefinite ? Buffer.concat([head, Buffer.alloc(depth * 2)]) : nestedDefinite(Math.min(depth, 2000));
        return clean(() => decodeCertificates(der)) && clean(() => decodePrivateKey(der)) && clean(() => decodePkcs12(der, ""));
      }),
      { numRuns: 40 },
    );
  });
});

/** `depth` SEQUENCEs in one another, with definite lengths. */
function nestedDefinite(depth: number): Buffer {
  let inner = Buffer.alloc(0);
  for (let i = 0; i < depth; i++) {
    const n = inner.length;
    const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
    inner = Buffer.concat([Buffer.from([0x30, ...len]), inner]);
  }
  return inner;
}

describe("PEM and base64 decoders never throw anything but their own errors", () => {
  const label = fc.constantFrom("CERTIFICATE", "PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY", "PKCS7", "X509 CRL", "X9.42 DH PARAMETERS", "TRUSTED CERTIFICATE", "weird label", "");
  const body = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.base64String({ maxLength: 400 }),
    bytes.map((b) => b.toString("base64")),
  );
  const pem = fc.tuple(label, body, label, fc.string({ maxLength: 20 })).map(([a, b, c, around]) => `${around}-----BEGIN ${a}-----\n${b}\n-----END ${c}-----\n${around}`);

  it("on PEM armour around anything", () => {
    fc.assert(
      fc.property(pem, (text) => clean(() => parsePemBlocks(text)) && clean(() => decodeCertificates(text)) && clean(() => decodePrivateKey(text, "pw"))),
      { numRuns: RUNS },
    );
  });

  it("on mutated and truncated PEM chains", () => {
    fc.assert(
      fc.property(mutated(() => Buffer.from(samples.chainPem)), (b) => clean(() => decodeCertificates(b.toString("latin1"))) && clean(() => decodeCertificates(b))),
      { numRuns: RUNS },
    );
  });

  it("on any text as base64", () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.base64String({ maxLength: 300 }), bytes.map((b) => b.toString("base64")));
    fc.assert(
      fc.property(text, fc.constantFrom("BASE64" as const, "BASE64PEM" as const), (t, encoding) => clean(() => decodeBase64(t, encoding))),
      { numRuns: RUNS },
    );
  });
});
