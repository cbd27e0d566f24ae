import { stackText, stackCase, type StackCase } from "../case.js";
import type { Material } from "../material.js";

// url: sources, captured from a real TLS server (the dev gateway's data plane) while the stack is read.

const captured = (source: (m: Material) => string) => (m: Material) => ({ "stack.yaml": stackText(m, `trustedCertificates:\n  api-leaf:\n    certificate: ${source(m)}\n`) });

export const urlSourceCases: StackCase[] = [
  stackCase({
    id: "url-pin-mismatch",
    title: "a url: source whose sha256 pin is not what the server presents",
    files: captured((m) => `{ url: "${m.gateways.devListen}", servername: api.example.com, select: leaf, sha256: "${m.pki.root.certificate.fingerprint256}" }`),
    expect: { code: "pin-mismatch", at: (m) => `"${m.pki.root.certificate.fingerprint256}"`, message: "but sha256 pins", hint: "update sha256 to the new fingerprint" },
  }),
  stackCase({
    id: "url-pin-malformed",
    title: "a sha256 pin that is not a fingerprint",
    files: captured((m) => `{ url: "${m.gateways.devListen}", servername: api.example.com, select: leaf, sha256: "AB:CD" }`),
    expect: { code: "invalid-format", at: "\"AB:CD", message: "a SHA-256 fingerprint is 32 hex pairs", hint: "correct the value" },
  }),
  stackCase({
    id: "url-wrong-scheme",
    title: "a url: source over plain HTTP",
    files: captured(() => '{ url: "http://127.0.0.1:9443" }'),
    expect: { code: "url-invalid", at: '"http://127.0.0.1:9443', message: "certificates are captured over https:// or ldaps:// only", hint: "https://host:port" },
  }),
  stackCase({
    id: "url-nobody-answers",
    title: "a url: source where nothing listens",
    files: captured(() => '{ url: "https://127.0.0.1:1" }'),
    expect: { code: "capture-failed", at: "\"https://127.0.0.1:1", message: "connection refused", hint: "check the host and port" },
  }),
];
