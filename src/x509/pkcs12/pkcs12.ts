import { X509Certificate, createHmac, createPrivateKey, timingSafeEqual, type KeyObject } from "node:crypto";
import { AsnPropTypes } from "@peculiar/asn1-schema";
import { ContentInfo, EncryptedContentInfo, id_data, id_encryptedData } from "@peculiar/asn1-cms";
import { AuthenticatedSafe, CertBag, PFX, SafeContents, id_certBag, id_keyBag, id_pkcs8ShroudedKeyBag, id_SafeContents, id_x509Certificate, type SafeBag } from "@peculiar/asn1-pfx";
import { EncryptedPrivateKeyInfo } from "@peculiar/asn1-pkcs8";
import { TAG, contentOf, declareFields, isUniversal, parseAs, readBer } from "../asn1.js";
import { sniffDer } from "../der-sniff.js";
import { MaterialError } from "../errors.js";
import { errorCode } from "../input-form.js";
import { decodeString } from "../name.js";
import { HASHES, passwordCandidates, pbeDecrypt, pkcs12Kdf, type Password } from "./pbe.js";
import { dedupe, orderChain } from "../chain-order.js";

export interface Pkcs12Contents {
  /** Leaf first (the certificate matching the key), then the rest ordered leaf → root. */
  chain: X509Certificate[];
  key?: KeyObject;
  friendlyNames: string[];
}

const FRIENDLY_NAME = "1.2.840.113549.1.9.20";
const PBMAC1 = "1.2.840.113549.1.5.14";

/** RFC 5652 6.1 EncryptedData (no package has it): what PKCS#12 encrypts certificate bags with. */
class EncryptedData {
  version = 0;
  encryptedContentInfo = new EncryptedContentInfo();
}
declareFields(EncryptedData, { version: { type: AsnPropTypes.Integer }, encryptedContentInfo: { type: EncryptedContentInfo } });

const malformed = (what: string): MaterialError =>
  new MaterialError("undecodable", `the PKCS#12 bundle is malformed: ${what}`, "re-export the bundle; the file may be truncated");

const wrongPassphrase = (): MaterialError =>
  new MaterialError(
    "pkcs12-passphrase",
    "PKCS#12 passphrase is wrong",
    "check the value of the passphrase variable (the bundle's integrity check fails with this passphrase)",
  );

/** `what` read with `schema`, or a MaterialError saying which part of the bundle is malformed. */
function read<T>(bytes: ArrayBuffer | Uint8Array, schema: new () => T, what: string): T {
  try {
    return parseAs(bytes, schema);
  } catch {
    throw malformed(`its ${what} cannot be read`);
  }
}

/** The octets of an OCTET STRING element, also when BER splits it into pieces. */
function octets(element: ArrayBuffer | Uint8Array, what: string): Buffer {
  const block = readBer(new Uint8Array(element));
  if (!block || !isUniversal(block, TAG.OCTET_STRING)) throw malformed(`its ${what} is not an OCTET STRING`);
  return contentOf(block);
}

/** Reads a .p12/.pfx: certificates, the private key and friendly names. */
export function decodePkcs12(data: Buffer, passphrase: string): Pkcs12Contents {
  if (sniffDer(data) !== "pkcs12") {
    throw new MaterialError("undecodable", "this is not a PKCS#12 (.p12/.pfx) bundle", "point pkcs12: at a .p12 or .pfx file");
  }
  const pfx = read(data, PFX, "outer structure");
  if (pfx.authSafe.contentType !== id_data) {
    throw new MaterialError(
      "pkcs12-unsupported",
      "the PKCS#12 bundle uses public-key integrity mode (signed), which certform cannot read",
      "re-export it with a passphrase: openssl pkcs12 -export",
    );
  }
  const authBytes = octets(pfx.authSafe.content, "authenticated safe");
  // The schema fills an absent (optional) MacData with an empty one.
  const password = pfx.macData && pfx.macData.mac.digest.byteLength > 0 ? verifyMac(pfx, authBytes, passphrase) : undefined;

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

function verifyMac(pfx: PFX, authBytes: Buffer, passphrase: string): Password {
  const { mac, macSalt, iterations: rawIterations } = pfx.macData;
  const oid = mac.digestAlgorithm.algorithm;
  if (oid === PBMAC1) {
    throw new MaterialError("pkcs12-unsupported", "the PKCS#12 bundle uses a PBMAC1 integrity check, which certform cannot read yet", "re-export it with -macalg sha256");
  }
  const hash = HASHES[oid];
  if (!hash) throw new MaterialError("pkcs12-unsupported", `the PKCS#12 bundle's integrity check uses ${oid || "an unknown digest"}`, "re-export it with -macalg sha256");
  // The schema gives small INTEGERs as numbers and larger ones as decimal text.
  const iterations = Number(rawIterations);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > 10_000_000) throw malformed(`MAC iteration count ${rawIterations}`);
  const expected = Buffer.from(mac.digest.buffer);
  const salt = Buffer.from(macSalt.buffer);
  for (const pw of passwordCandidates(passphrase)) {
    const macKey = pkcs12Kdf(hash, pw.bmp, salt, 3, iterations, hash.size);
    const computed = createHmac(hash.name, macKey).update(authBytes).digest();
    if (computed.length === expected.length && timingSafeEqual(computed, expected)) return pw;
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
  const safe = read(authBytes, AuthenticatedSafe, "authenticated safe");
  const bags: Bag[] = [];
  for (const info of safe as ContentInfo[]) {
    if (info.contentType === id_data) {
      bags.push(...readSafeContents(octets(info.content, "safe contents"), pw));
    } else if (info.contentType === id_encryptedData) {
      const { encryptedContentInfo: eci } = read(info.content, EncryptedData, "encrypted data");
      const content = eci.encryptedContent;
      const pieces = content?.value ? [content.value] : content?.constructedValue;
      if (!pieces) throw malformed("encrypted data without content");
      const encrypted = Buffer.concat(pieces.map((o) => Buffer.from(o.buffer)));
      bags.push(...readSafeContents(pbeDecrypt(eci.contentEncryptionAlgorithm, encrypted, pw), pw));
    } else {
      throw new MaterialError("pkcs12-unsupported", `the PKCS#12 bundle holds content of type ${info.contentType}, which certform cannot read`, "re-export it with openssl pkcs12 -export");
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

/** Bags of decrypted (or plain) SafeContents. A plain Error here means the decryption produced junk: a wrong passphrase. */
function readSafeContents(der: Buffer, pw: Password): Bag[] {
  let contents: SafeContents;
  try {
    contents = parseAs(der, SafeContents);
  } catch {
    throw new Error("bad decrypt");
  }
  const out: Bag[] = [];
  for (const bag of contents as SafeBag[]) {
    const friendlyName = readFriendlyName(bag);
    const named = <T extends Bag>(b: T): T => (friendlyName ? { ...b, friendlyName } : b);
    if (bag.bagId === id_certBag) {
      const certBag = read(bag.bagValue, CertBag, "certificate bag");
      if (certBag.certId !== id_x509Certificate) continue;
      out.push(named({ kind: "cert", cert: certificate(octets(certBag.certValue, "certificate bag")) }));
    } else if (bag.bagId === id_keyBag) {
      out.push(named({ kind: "key", key: privateKey(Buffer.from(bag.bagValue)) }));
    } else if (bag.bagId === id_pkcs8ShroudedKeyBag) {
      const shrouded = read(bag.bagValue, EncryptedPrivateKeyInfo, "shrouded key bag");
      const plain = pbeDecrypt(shrouded.encryptionAlgorithm, Buffer.from(shrouded.encryptedData.buffer), pw);
      // Junk from a wrong passphrase (when there is no MAC to check it first) fails here with a plain Error.
      out.push(named({ kind: "key", key: createPrivateKey({ key: plain, format: "der", type: "pkcs8" }) }));
    } else if (bag.bagId === id_SafeContents) {
      out.push(...readSafeContents(Buffer.from(bag.bagValue), pw));
    }
  }
  return out;
}

function certificate(der: Buffer): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch (err) {
    throw new MaterialError("undecodable", `the PKCS#12 bundle holds a certificate that cannot be parsed (${errorCode(err)})`, "re-export the bundle", { cause: err });
  }
}

function privateKey(der: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch (err) {
    throw new MaterialError("undecodable", `the PKCS#12 bundle holds a private key that cannot be read (${errorCode(err)})`, "re-export the bundle", { cause: err });
  }
}

/** The friendlyName attribute's text, without the NUL terminator some writers (Windows, Java) include. */
function readFriendlyName(bag: SafeBag): string | undefined {
  for (const attr of bag.bagAttributes ?? []) {
    if (attr.attrId !== FRIENDLY_NAME) continue;
    const value = attr.attrValues[0] && readBer(new Uint8Array(attr.attrValues[0]));
    if (value && isUniversal(value, TAG.BMP_STRING)) return decodeString(TAG.BMP_STRING, contentOf(value)).replace(/\0+$/, "");
  }
  return undefined;
}
