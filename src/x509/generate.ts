import type * as PX from "@peculiar/x509";
import {
  X509Certificate,
  createPublicKey,
  generateKeyPair as generateKeyPairCb,
  randomBytes,
  webcrypto,
  type KeyObject,
} from "node:crypto";
import { isIP } from "node:net";
import { promisify } from "node:util";
import { splitRdns } from "./dn.js";
import { peculiar } from "./peculiar.js";

const generateKeyPair = promisify(generateKeyPairCb);
type CryptoKey = webcrypto.CryptoKey;
const subtle = webcrypto.subtle;

export type KeyType = "ec-p256" | "ec-p384" | "rsa-2048" | "rsa-3072" | "rsa-4096" | "rsa-1024";
export type SignatureHash = "SHA-256" | "SHA-384" | "SHA-1";

export interface GenerateOptions {
  hosts: string[];
  keyType: KeyType;
  notBefore?: Date;
  notAfter?: Date;
  /** Used when notAfter is not given; default 90. */
  validityDays?: number;
  /** DN written most specific first ("CN=api, O=Example"); default CN=<first host>. */
  subject?: string;
  /** Absent: self-signed. */
  issuer?: { certificate: X509Certificate; key: KeyObject };
  isCA?: boolean;
  signatureHash?: SignatureHash;
  /** Leave the subjectAltName extension out (to produce CN-only certificates). */
  noSan?: boolean;
}

export interface Generated {
  certificate: X509Certificate;
  key: KeyObject;
}

const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
// Backdating absorbs clock skew between the machine that generates and the clients that check.
const BACKDATE_MS = 5 * 60 * 1000;

export async function generateKeyPairFor(keyType: KeyType): Promise<KeyObject> {
  if (keyType.startsWith("ec-")) {
    const namedCurve = keyType === "ec-p384" ? "P-384" : "P-256";
    return (await generateKeyPair("ec", { namedCurve })).privateKey;
  }
  const modulusLength = Number(keyType.slice(4));
  return (await generateKeyPair("rsa", { modulusLength })).privateKey;
}

export function webAlgorithm(key: KeyObject, hash: SignatureHash): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const namedCurve = curve === "secp384r1" ? "P-384" : curve === "secp521r1" ? "P-521" : "P-256";
    return { name: "ECDSA", namedCurve };
  }
  if (key.asymmetricKeyType === "rsa") return { name: "RSASSA-PKCS1-v1_5", hash };
  throw new Error(`cannot sign with a ${key.asymmetricKeyType ?? "unknown"} key: use an RSA or EC key`);
}

export function defaultHash(signer: KeyObject): SignatureHash {
  return signer.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "SHA-384" : "SHA-256";
}

export async function toWebKeys(key: KeyObject, hash: SignatureHash): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey }> {
  const alg = webAlgorithm(key, hash);
  const pkcs8 = key.export({ type: "pkcs8", format: "der" });
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  const privateKey = await subtle.importKey("pkcs8", pkcs8, alg, false, ["sign"]);
  const publicKey = await subtle.importKey("spki", spki, alg, true, ["verify"]);
  return { privateKey, publicKey };
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  // Positive (high bit clear) and exactly 16 bytes long (no leading zero byte to strip).
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString("hex");
}

/**
 * Our DN strings are written most specific first (RFC 4514, as describeCertificate prints them);
 * peculiar encodes RDNs in the order written, so the order is reversed to put C/O before CN in DER.
 */
export function nameFromDn(px: typeof PX, dn: string): PX.Name {
  const rdns = splitDn(dn).reverse();
  return new px.Name(rdns.join(", "));
}

function splitDn(dn: string): string[] {
  const parts = splitRdns(dn).map((p) => p.trim());
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

export async function generateCertificate(opts: GenerateOptions): Promise<Generated> {
  const key = await generateKeyPairFor(opts.keyType);
  const signer = opts.issuer?.key ?? key;
  const hash = opts.signatureHash ?? defaultHash(signer);
  const own = await toWebKeys(key, hash);
  const signing = opts.issuer ? await toWebKeys(opts.issuer.key, hash) : own;

  const notBefore = opts.notBefore ?? new Date(Date.now() - BACKDATE_MS);
  // Validity counts from now (not from the backdated start); rounded up because DER keeps whole
  // seconds, so that a fresh 90-day certificate shows 90 days left.
  const start = opts.notBefore?.getTime() ?? Date.now();
  const notAfter = opts.notAfter ?? new Date(Math.ceil((start + (opts.validityDays ?? 90) * 86_400_000) / 1000) * 1000);
  const subjectDn = opts.subject ?? `CN=${opts.hosts[0] ?? "certform"}`;
  const px = await peculiar();
  const subject = nameFromDn(px, subjectDn);
  const issuerName = opts.issuer
    ? new px.X509Certificate(opts.issuer.certificate.raw).subjectName
    : subject;

  const isCA = opts.isCA ?? false;
  const isRsa = key.asymmetricKeyType === "rsa";
  const extensions: PX.Extension[] = [new px.BasicConstraintsExtension(isCA, undefined, true)];
  if (isCA) {
    extensions.push(
      new px.KeyUsagesExtension(px.KeyUsageFlags.keyCertSign | px.KeyUsageFlags.cRLSign | px.KeyUsageFlags.digitalSignature, true),
    );
  } else {
    const usage = px.KeyUsageFlags.digitalSignature | (isRsa ? px.KeyUsageFlags.keyEncipherment : 0);
    extensions.push(new px.KeyUsagesExtension(usage, true));
    extensions.push(new px.ExtendedKeyUsageExtension([SERVER_AUTH, CLIENT_AUTH]));
  }
  if (!opts.noSan && opts.hosts.length > 0) {
    const names = opts.hosts.map((h) => ({ type: isIP(h) ? ("ip" as const) : ("dns" as const), value: h }));
    extensions.push(new px.SubjectAlternativeNameExtension(names));
  }
  extensions.push(await px.SubjectKeyIdentifierExtension.create(own.publicKey));
  extensions.push(await px.AuthorityKeyIdentifierExtension.create(signing.publicKey));

  const signingAlgorithm =
    signer.asymmetricKeyType === "ec" ? { name: "ECDSA", hash } : { name: "RSASSA-PKCS1-v1_5", hash };
  const cert = await px.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    issuer: issuerName,
    notBefore,
    notAfter,
    publicKey: own.publicKey,
    signingKey: signing.privateKey,
    signingAlgorithm,
    extensions,
  });
  return { certificate: new X509Certificate(Buffer.from(cert.rawData)), key };
}
