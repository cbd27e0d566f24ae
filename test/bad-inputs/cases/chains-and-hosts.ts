import { toPem } from "../../support/pki.js";
import { serverCertificate, stackCase, stackText, type StackCase } from "../case.js";

// Certificates that decode but must not be served: wrong order, wrong time, wrong names.

const withHosts = (hosts: string) => `certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key }\n    hosts: ${hosts}\n`;
const generated = (hosts: string) => `certificates:\n  api:\n    generate: { hosts: ${hosts} }\n`;

export const chainAndHostCases: StackCase[] = [
  stackCase({
    id: "chain-out-of-order",
    title: "the intermediate before the leaf",
    files: (m) => serverCertificate(m, { pem: toPem([m.pki.intermediate.certificate, m.pki.leaf.certificate]) }),
    expect: { code: "chain-order", at: "{ file: api.pem", message: "comes before the leaf: put the leaf first", hint: "put them in this order: CN=api.example.com → CN=certform Test Intermediate CA" },
  }),
  stackCase({
    id: "chain-leaf-last",
    title: "root, intermediate, leaf: the whole chain upside down",
    files: (m) => serverCertificate(m, { pem: toPem([m.pki.root.certificate, m.pki.intermediate.certificate, m.pki.leaf.certificate]) }),
    expect: { code: "chain-order", at: "{ file: api.pem", message: "the chain breaks between position 1", hint: "put them in this order: CN=api.example.com → CN=certform Test Intermediate CA, O=certform tests → CN=certform Test Root CA" },
  }),
  stackCase({
    id: "expired",
    title: "an expired certificate",
    files: (m) => serverCertificate(m, { pem: toPem([m.expired.certificate, m.pki.intermediate.certificate]), key: m.expired.keyPem }),
    expect: { code: "expired", at: "{ file: api.pem", message: /the leaf CN=api\.example\.com expired on \d{4}-\d\d-\d\d \(10 days ago\)/, hint: "renew the certificate" },
  }),
  stackCase({
    id: "san-missing-host",
    title: "a host that the certificate's SANs do not cover",
    files: (m) => serverCertificate(m, { body: withHosts('["api.example.com", "shop.example.com"]') }),
    expect: { code: "host-not-covered", at: "hosts:", address: "certificates.api[dev]", message: 'host "shop.example.com" is not covered', hint: "whose subjectAltNames include it" },
  }),
  stackCase({
    id: "wildcard-one-level-only",
    title: "a host two labels below the wildcard that should cover it",
    files: (m) => serverCertificate(m, { pem: toPem([m.wildcard.certificate, m.pki.intermediate.certificate]), key: m.wildcard.keyPem, body: withHosts('["a.b.example.com"]') }),
    expect: { code: "host-not-covered", at: "hosts:", message: 'host "a.b.example.com" is not covered by the certificate CN=*.example.com', hint: "whose subjectAltNames include it" },
  }),
  stackCase({
    id: "no-san",
    title: "a certificate with no subjectAltName",
    files: (m) => serverCertificate(m, { pem: toPem([m.noSan.certificate, m.pki.intermediate.certificate]), key: m.noSan.keyPem }),
    expect: { code: "no-san", at: "{ file: api.pem", message: "has no subjectAltName", hint: "reissue the certificate with the host names" },
  }),
  stackCase({
    id: "wildcard-too-broad",
    title: "a generated wildcard over a top-level domain",
    files: (m) => ({ "stack.yaml": stackText(m, generated('["*.com"]')) }),
    expect: { code: "host-invalid", at: "\"*.com", message: "a wildcard needs at least two labels after it", hint: "a wildcard such as *.example.com" },
  }),
  stackCase({
    id: "wildcard-everything",
    title: "a generated certificate for *",
    files: (m) => ({ "stack.yaml": stackText(m, generated('["*"]')) }),
    expect: { code: "host-invalid", at: "\"*\"", message: 'host "*" is not valid', hint: "a wildcard such as *.example.com" },
  }),
  stackCase({
    id: "wildcard-not-leftmost",
    title: "a wildcard in the middle of a name",
    files: (m) => ({ "stack.yaml": stackText(m, generated('["api.*.example.com"]')) }),
    expect: { code: "host-invalid", at: "\"api.*", message: "only be the whole left-most label", hint: "a wildcard such as *.example.com" },
  }),
  stackCase({
    id: "host-with-space",
    title: "a host name with a space",
    files: (m) => ({ "stack.yaml": stackText(m, generated('["api example.com"]')) }),
    expect: { code: "host-invalid", at: "\"api example", message: "white space (U+0020)", hint: "a DNS name such as api.example.com" },
  }),
  stackCase({
    id: "host-with-nul",
    title: "a host name with a NUL byte",
    files: (m) => ({ "stack.yaml": stackText(m, generated('["api.example.com\\0"]')) }),
    expect: { code: "host-invalid", at: "\"api.example.com\\0", message: "the control character U+0000", hint: "a DNS name such as api.example.com" },
  }),
  stackCase({
    id: "host-claimed-twice",
    title: "two certificates for the same host",
    files: (m) => ({ "stack.yaml": stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n  api2:\n    generate: { hosts: ["api.example.com"] }\n') }),
    expect: { code: "host-duplicate", at: "\"api.example.com", nth: 2, address: "certificates.api2[dev]", message: "is also served by certificates.api[dev]", hint: "serve each host from one certificate" },
  }),
  stackCase({
    id: "default-twice",
    title: "two default certificates",
    files: (m) => ({ "stack.yaml": stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    default: true\n  www:\n    generate: { hosts: ["www.example.com"] }\n    default: true\n') }),
    expect: { code: "default-duplicate", at: "true", nth: 2, message: "certificates.api[dev] is already the default certificate of dev", hint: "one certificate per environment" },
  }),
  stackCase({
    id: "issuer-not-ca",
    title: "a generated certificate issued by a leaf",
    files: (m) => ({
      "stack.yaml": stackText(m, 'certificates:\n  api:\n    generate:\n      hosts: ["api.example.com"]\n      issuer: { certificate: { file: leaf.pem }, key: { file: leaf.key } }\n'),
      "leaf.pem": m.pki.leaf.pem,
      "leaf.key": m.pki.leaf.keyPem,
    }),
    expect: { code: "issuer-not-ca", at: "{ file: leaf.pem", message: "is not a CA certificate (basicConstraints CA:FALSE)", hint: "issue from a CA certificate" },
  }),
];
