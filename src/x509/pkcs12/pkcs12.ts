import { X509Certificate, createHmac, createPrivateKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { TAG, children, content, decodeOid, decodeSmallInteger, decodeString, octets, parseDer, type Tlv } from "./der.js";
import { sniffDer } from "../der-sniff.js";
import { MaterialError } from "../errors.js";
import { errorCode } from "../input-form.js";
import { HASHES, passwordCandidates, pbeDecrypt, pkcs12Kdf, type Password } from "./pbe.js";
import { dedupe, orderChain } from "../chain-order.js";

export interface Pkcs12Contents {
  /** Leaf first (the certificate matching the key), then the rest ordered leaf → root. */
  chain: X509Certificate[];
  key?: KeyObject;
  friendlyNames: string[];
}

const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  safeContentsBag: "1.2.840.113549.1.12.10.1.6",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  pbmac1: "1.2.840.113549.1.5.14",
};

const malformed = (what: string): MaterialError =>
  new MaterialError("undecodable", `the PKCS#12 bundle is malformed: ${what}`, "re-export the bundle; the file may be truncated");

const wrongPassphrase = (): MaterialError =>
  new MaterialError(
    "pkcs12-passphrase",
    "PKCS#12 passphrase is wrong",
    "check the value of the passphrase variable (the bundle's integrity check fails with this passphrase)",
  );

/** Reads a .p12/.pfx: certificates, the private key and friendly names. */
export function decodePkcs12(data: Buffer, passphrase: string): Pkcs12Contents {
  if (sniffDer(data) !== "pkcs12") {
    throw new MaterialError("undecodable", "this is not a PKCS#12 (.p12/.pfx) bundle", "point pkcs12: at a .p12 or .pfx file");
  }
  const pfx = parseDer(data) ?? parseDer(data, true)!;
  const [, authSafe, macData] = children(pfx, true);
  const [ctOid, ctContent] = children(authSafe!, true);
  const ct = decodeOid(ctOid!);
  if (ct !== OID.data) {
    throw new MaterialError(
      "pkcs12-unsupported",
      "the PKCS#12 bundle uses public-key integrity mode (signed), which certform cannot read",
      "re-export it with a passphrase: openssl pkcs12 -export",
    );
  }
  const authBytes = octets(children(ctContent!, true)[0] ?? malformedThrow("no authenticated safe"));
  const password = macData ? verifyMac(macData, authBytes, passphrase) : undefined;

  // Without a MAC the passphrase cannot be checked up front; try each encoding until one decrypts.
  const candidates = password ? [password] : passwordCandidates(passphrase);
  let lastError: unknown;
  for (const pw of candidates) {
    try {
      return readAuthenticatedSafe(authBytes, pw);
    } catch (err) {
      if (err instanceof MaterialError) throw err;
      lastError = err;
    }
  }
  if (!password) throw wrongPassphrase();
  throw new MaterialError(
    "undecodable",
    `the PKCS#12 bundle's integrity check passed but its contents cannot be decrypted (${errorCode(lastError)})`,
    "re-export the bundle",
  );
}

function malformedThrow(what: string): never {
  throw malformed(what);
}

function verifyMac(macData: Tlv, authBytes: Buffer, passphrase: string): Password {
  const [digestInfo, saltTlv, iterTlv] = children(macData, true);
  const [algId, digestTlv] = digestInfo ? children(digestInfo) : [];
  const oid = algId ? decodeOid(children(algId)[0]!) : "";
  if (oid === OID.pbmac1) {
    throw new MaterialError("pkcs12-unsupported", "the PKCS#12 bundle uses a PBMAC1 integrity check, which certform cannot read yet", "re-export it with -macalg sha256");
  }
  const hash = HASHES[oid];
  if (!hash || !digestTlv || !saltTlv) throw new MaterialError("pkcs12-unsupported", `the PKCS#12 bundle's integrity check uses ${oid || "an unknown digest"}`, "re-export it with -macalg sha256");
  const iterations = iterTlv ? decodeSmallInteger(iterTlv) ?? 0 : 1;
  if (iterations < 1 || iterations > 10_000_000) throw malformed(`MAC iteration count ${iterations}`);
  const expected = content(digestTlv);
  for (const pw of passwordCandidates(passphrase)) {
    const macKey = pkcs12Kdf(hash, pw.bmp, content(saltTlv), 3, iterations, hash.size);
    const mac = createHmac(hash.name, macKey).update(authBytes).digest();
    if (mac.length === expected.length && timingSafeEqual(mac, expected)) return pw;
  }
  throw wrongPassphrase();
}

interface Bag {
  kind: "cert" | "key";
  cert?: X509Certificate;
  key?: KeyObject;
  friendlyName?: string;
}

function readAuthenticatedSafe(authBytes: Buffer, pw: Password): Pkcs12Contents {
  const safe = parseDer(authBytes, true) ?? malformedThrow("unreadable authenticated safe");
  const bags: Bag[] = [];
  for (const info of children(safe, true)) {
    const [oidTlv, explicit] = children(info, true);
    const oid = oidTlv ? decodeOid(oidTlv) : "";
    const inner = explicit ? children(explicit, true)[0] : undefined;
    if (!inner) continue;
    if (oid === OID.data) {
      bags.push(...readSafeContents(octets(inner), pw));
    } else if (oid === OID.encryptedData) {
      const [, encInfo] = children(inner, true);
      const [, alg, encrypted] = encInfo ? children(encInfo, true) : [];
      if (!alg || !encrypted) throw malformed("encrypted data without content");
      bags.push(...readSafeContents(pbeDecrypt(alg, octets(encrypted), pw), pw));
    } else {
      throw new MaterialError("pkcs12-unsupported", `the PKCS#12 bundle holds content of type ${oid}, which certform cannot read`, "re-export it with openssl pkcs12 -export");
    }
  }
  const certs = dedupe(bags.flatMap((b) => (b.cert ? [b.cert] : [])));
  const keys = bags.filter((b) => b.key);
  const key = keys[0]?.key;
  const friendlyNames = [...new Set(bags.flatMap((b) => (b.friendlyName ? [b.friendlyName] : [])))];
  const result: Pkcs12Contents = { chain: orderChain(certs, key), friendlyNames };
  if (key) result.key = key;
  return result;
}

function readSafeContents(der: Buffer, pw: Password): Bag[] {
  const seq = parseDer(der, true);
  if (!seq) throw new Error("bad decrypt");
  const out: Bag[] = [];
  for (const bag of children(seq, true)) {
    const [oidTlv, explicit, attrs] = children(bag, true);
    const oid = oidTlv?.tag === TAG.OID ? decodeOid(oidTlv) : "";
    const value = explicit ? children(explicit, true)[0] : undefined;
    if (!value) continue;
    const friendlyName = attrs ? readFriendlyName(attrs) : undefined;
    const named = <T extends Bag>(b: T): T => (friendlyName ? { ...b, friendlyName } : b);
    if (oid === OID.certBag) {
      const [certType, certExplicit] = children(value, true);
      if (!certType || decodeOid(certType) !== OID.x509Certificate || !certExplicit) continue;
      const certDer = octets(children(certExplicit, true)[0] ?? malformedThrow("empty certificate bag"));
      out.push(named({ kind: "cert", cert: new X509Certificate(certDer) }));
    } else if (oid === OID.keyBag) {
      out.push(named({ kind: "key", key: createPrivateKey({ key: wholeOf(value), format: "der", type: "pkcs8" }) }));
    } else if (oid === OID.shroudedKeyBag) {
      const [alg, encrypted] = children(value, true);
      if (!alg || !encrypted) throw malformed("shrouded key bag without content");
      const plain = pbeDecrypt(alg, octets(encrypted), pw);
      out.push(named({ kind: "key", key: createPrivateKey({ key: plain, format: "der", type: "pkcs8" }) }));
    } else if (oid === OID.safeContentsBag) {
      out.push(...readSafeContents(wholeOf(value), pw));
    }
  }
  return out;
}

function wholeOf(tlv: Tlv): Buffer {
  return tlv.buf.subarray(tlv.start, tlv.end);
}

function readFriendlyName(attrs: Tlv): string | undefined {
  for (const attr of children(attrs, true)) {
    const [oidTlv, values] = children(attr, true);
    if (!oidTlv || decodeOid(oidTlv) !== OID.friendlyName || !values) continue;
    const first = children(values, true)[0];
    if (first && first.tag === TAG.BMP_STRING) return decodeString(first);
  }
  return undefined;
}
