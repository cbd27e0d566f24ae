import { createPublicKey, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { defaultHash, nameFromDn, toWebKeys } from "./generate.js";
import { fingerprintKey } from "./fingerprint.js";
import { peculiar } from "./peculiar.js";

export interface CsrRequest {
  key: KeyObject;
  hosts: string[];
  /** DN written most specific first ("CN=api, O=Example"); default CN=<first host>. */
  subject?: string;
}

/** A PKCS#10 certificate signing request (PEM) for `key`, asking for `hosts` as its subjectAltName. */
export async function createCsr(req: CsrRequest): Promise<string> {
  const px = await peculiar();
  const hash = defaultHash(req.key);
  const keys = await toWebKeys(req.key, hash);
  const names = req.hosts.map((h) => ({ type: isIP(h) ? ("ip" as const) : ("dns" as const), value: h }));
  const csr = await px.Pkcs10CertificateRequestGenerator.create({
    name: nameFromDn(px, req.subject ?? `CN=${req.hosts[0] ?? "certform"}`),
    keys,
    signingAlgorithm: req.key.asymmetricKeyType === "ec" ? { name: "ECDSA", hash } : { name: "RSASSA-PKCS1-v1_5", hash },
    extensions: names.length > 0 ? [new px.SubjectAlternativeNameExtension(names)] : [],
  });
  return `${csr.toString("pem")}\n`;
}

/** SHA-256 of a CSR's public key: the key the signed certificate must carry, without the private key. */
export async function csrKeyFingerprint(pem: string): Promise<string> {
  const px = await peculiar();
  const csr = new px.Pkcs10CertificateRequest(pem);
  return fingerprintKey(createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" }));
}
