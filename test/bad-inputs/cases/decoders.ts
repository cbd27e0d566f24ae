import { generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { certificateWithSpki, unloadableSpki } from "../../support/odd-keys.js";
import { API_FILES, serverCertificate, stackCase, stackText, trustedFile, type Files, type StackCase } from "../case.js";
import type { Material } from "../material.js";

// The classes of the "Decoders" section, one case each, as a user meets them in a stack: certificates
// and keys whose bytes certform's decoders once crashed on, misread or refused with the wrong words. The odd
// material is made here, from fresh keys, and never committed.

const pem = (label: string, der: Buffer) => `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END ${label}-----\n`;

/** Replaces every occurrence of `from` by `to` (same length) in `bytes`. */
function rewrite(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const out = Buffer.from(bytes);
  for (let i = out.indexOf(from); i >= 0; i = out.indexOf(from, i + to.length)) to.copy(out, i);
  return out;
}

/** A server certificate for `hosts` over a fresh P-256 key, its TBSCertificate rewritten by `tbs` before signing. */
function oddServer(m: Material, hosts: string[], tbs?: (der: Buffer) => Buffer, body = API_FILES): Files {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const cert = certificateWithSpki(publicKey.export({ type: "spki", format: "der" }), { hosts, ...(tbs ? { rewriteTbs: tbs } : {}) });
  return serverCertificate(m, { pem: cert.toString(), key: privateKey.export({ type: "pkcs8", format: "pem" }) as string, body });
}

const HOSTS_BODY = (host: string) => `certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key }\n    hosts: ["${host}"]\n`;

export const decoderCases: StackCase[] = [
  stackCase({
    id: "key-algorithm-unknown",
    title: "a server certificate whose public key OpenSSL cannot load (an unknown algorithm OID)",
    files: (m) => ({
      ...serverCertificate(m, { pem: certificateWithSpki(unloadableSpki("1.2.3.4.5.6.7"), { hosts: ["api.example.com"] }).toString() }),
    }),
    expect: { code: "key-unsupported", at: "{ file: api.pem }", address: "certificates.api[dev]", message: "1.2.3.4.5.6.7", hint: "use a certificate with an RSA, EC (P-256, P-384) or Ed25519 key" },
  }),
  stackCase({
    id: "jwk-over-brainpool",
    title: "a JWKS entry over a certificate whose Brainpool key has no JWK form",
    files: (m) => {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "brainpoolP256r1" });
      const cert = certificateWithSpki(publicKey.export({ type: "spki", format: "der" }), { hosts: ["api.example.com"] });
      return serverCertificate(m, {
        pem: cert.toString(),
        key: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
        body: `${API_FILES}jwks:\n  signing: { certificate: api }\n`,
      });
    },
    expect: { code: "jwk-key-unsupported", at: "api }", message: "brainpoolP256r1", hint: "publish a certificate with an RSA, EC P-256/P-384/P-521 or Ed25519 key" },
  }),
  stackCase({
    id: "time-invalid",
    title: "a certificate whose notAfter is not a valid time (month 13)",
    files: (m) =>
      oddServer(m, ["api.example.com"], (tbs) => {
        // notAfter is the second UTCTime (tag 0x17, 13 bytes): its month becomes 13.
        const first = tbs.indexOf(Buffer.from([0x17, 0x0d]));
        const at = tbs.indexOf(Buffer.from([0x17, 0x0d]), first + 2) + 2;
        const out = Buffer.from(tbs);
        out.write("13", at + 2, "latin1");
        return out;
      }),
    expect: { code: "undecodable", at: "api.pem", message: /notAfter time .* is not a valid UTCTime/, hint: "reissue the certificate; clients reject it as it is" },
  }),
  stackCase({
    id: "pem-label-dh-parameters",
    title: "DH domain parameters (a PEM label with a dot) where a certificate belongs",
    files: (m) => serverCertificate(m, { pem: pem("X9.42 DH PARAMETERS", randomBytes(40)) }),
    expect: { code: "undecodable", at: "api.pem", message: "X9.42 DH PARAMETERS", hint: "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER" },
  }),
  stackCase({
    id: "ber-nested-deep",
    title: "20,000 nested indefinite-length BER SEQUENCEs (80 KB) as a certificate",
    files: (m) => serverCertificate(m, { pem: Buffer.concat([Buffer.from("3080".repeat(20_000), "hex"), Buffer.alloc(40_000)]) }),
    expect: { code: "undecodable", at: "api.pem", message: "looks like DER but is not a certificate, key, CSR or PKCS#12 bundle", hint: "provide the certificate as PEM (-----BEGIN CERTIFICATE-----) or DER" },
  }),
  stackCase({
    id: "san-malformed",
    title: "a subjectAltName extension whose name claims more bytes than it has",
    files: (m) =>
      oddServer(m, ["abc.example.com"], (tbs) =>
        rewrite(tbs, Buffer.from("3011820f", "hex"), Buffer.from("30118220", "hex")),
      ),
    expect: { code: "undecodable", at: "api.pem", message: "subjectAltName extension", hint: "reissue the certificate; clients reject it as it is" },
  }),
  stackCase({
    id: "san-utf8-dnsname",
    title: "a certificate whose dNSName holds UTF-8 (bücher.example.com), declared for its A-label",
    files: (m) =>
      oddServer(
        m,
        ["bxxcher.example.com"],
        (tbs) => rewrite(tbs, Buffer.from("bxxcher"), Buffer.from("bücher")),
        HOSTS_BODY("xn--bcher-kva.example.com"),
      ),
    expect: { code: "host-not-covered", at: "hosts:", message: "is not covered by the certificate CN=bücher.example.com (SANs: DNS:bücher.example.com)", hint: "remove the host, or use a certificate whose subjectAltNames include it" },
  }),
  stackCase({
    id: "pkcs8-encryption-unknown",
    title: "an encrypted PKCS#8 key whose encryption algorithm is unknown (not a wrong passphrase)",
    env: { CERTFORM_CATALOGUE_KEY_PASS: "pw" },
    files: (m) => {
      const der = m.pki.leaf.key.export({ type: "pkcs8", format: "der", cipher: "aes-256-cbc", passphrase: "pw" }) as Buffer;
      const pbes2 = Buffer.from("06092a864886f70d01050d", "hex");
      const bad = Buffer.from(der);
      bad[bad.indexOf(pbes2) + 10] = 0x63; // 1.2.840.113549.1.5.99
      return serverCertificate(m, {
        key: pem("ENCRYPTED PRIVATE KEY", bad),
        body: 'certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key, passphrase: "${env:CERTFORM_CATALOGUE_KEY_PASS}" }\n',
      });
    },
    expect: { code: "key-unsupported", at: "api.key", message: "OID 1.2.840.113549.1.5.99", hint: "re-encrypt it with AES" },
  }),
  stackCase({
    id: "key-dh",
    title: "a DH private key where the server certificate's key belongs",
    files: (m) => {
      // @types/node 20 lacks the "dh" overload that Node itself has had since 15.
      const dhPair = generateKeyPairSync as unknown as (type: "dh", options: { group: string }) => { privateKey: KeyObject };
      const { privateKey } = dhPair("dh", { group: "modp14" });
      return serverCertificate(m, { key: privateKey.export({ type: "pkcs8", format: "pem" }) as string });
    },
    expect: { code: "key-mismatch", at: "key:", message: "does not belong to the certificate CN=api.example.com", hint: "use the key the certificate was issued for" },
  }),
  stackCase({
    id: "wildcard-public-suffix-host",
    title: "a wildcard host over a public suffix (*.co.uk)",
    files: (m) => ({ "stack.yaml": stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["*.co.uk"] }\n') }),
    expect: { code: "host-invalid", at: '"*.co.uk"', message: "is a public suffix", hint: "write a DNS name such as" },
  }),
  stackCase({
    id: "wildcard-public-suffix-san",
    title: "a certificate whose SAN is a wildcard over a private public suffix (*.s3.amazonaws.com)",
    files: (m) => oddServer(m, ["*.s3.amazonaws.com"]),
    expect: { code: "wildcard-public-suffix", at: "{ file: api.pem }", message: "\"s3.amazonaws.com\" is a public suffix", hint: "reissue the certificate without that name" },
  }),
  stackCase({
    id: "host-c1-control",
    title: "a host holding a C1 control character (U+0085), shown escaped",
    files: (m) => serverCertificate(m, { body: HOSTS_BODY("api\\u0085.example.com") }),
    expect: { code: "host-invalid", at: '"api\\u0085', message: "U+0085", hint: "write a DNS name such as" },
  }),
  stackCase({
    id: "trusted-key-unknown-and-other",
    title: "an unloadable trusted certificate beside a broken one: both reported, neither hides the other",
    files: (m) => ({
      ...trustedFile(m, certificateWithSpki(unloadableSpki("1.2.643.7.1.1.1.1"), { subject: "CN=gost ca" }).toString()),
      "stack.yaml": stackText(m, "trustedCertificates:\n  gost-ca:\n    certificate: { file: ca.pem }\n  broken:\n    certificate: { file: broken.pem }\n"),
      "broken.pem": "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    }),
    expect: { code: "undecodable", at: "broken.pem", message: "has characters outside base64 in its body", hint: "check that the file was copied whole" },
  }),
];
