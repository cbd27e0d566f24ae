import { HEADER, stackText, stackCase, type StackCase } from "../case.js";
import type { Material } from "../material.js";

// Stacks that parse as YAML but do not follow the stack format: keys, types, names, references, variables.

const only = (body: string) => (m: Material) => ({ "stack.yaml": stackText(m, body) });
const GENERATED = 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n';
const TRUSTED = (alias: string) => `trustedCertificates:\n  partner-ca:\n    alias: ${alias}\n    certificate: { file: ca.pem }\n`;

export const stackModelCases: StackCase[] = [
  stackCase({
    id: "unknown-key",
    title: "a misspelt key in a resource",
    files: only('certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    hots: ["www.example.com"]\n'),
    expect: { code: "unknown-key", at: "hots:", address: "certificates.api", message: 'unknown key "hots"', hint: 'did you mean "hosts"?' },
  }),
  stackCase({
    id: "unknown-top-level-key",
    title: "a misspelt section",
    files: only('certificate:\n  api:\n    generate: { hosts: ["api.example.com"] }\n'),
    expect: { code: "unknown-key", at: "certificate:", address: null, message: 'unknown key "certificate" in the stack', hint: 'did you mean "certificates"?' },
  }),
  stackCase({
    id: "unknown-key-in-source",
    title: "an unknown key in a certificate source",
    files: only("trustedCertificates:\n  partner-ca:\n    certificate: { path: ca.pem }\n"),
    expect: { code: "unknown-key", at: "path", message: "unknown key \"path\" in trustedCertificates.partner-ca.certificate: a source is one of file, pem, base64, pkcs12, url", hint: "write { file: … }" },
  }),
  stackCase({
    id: "wrong-type-hosts",
    title: "hosts as a string instead of a list",
    files: only("certificates:\n  api:\n    generate: { hosts: api.example.com }\n"),
    expect: { code: "wrong-type", at: "api.example.com", message: 'must be a list, not the text "api.example.com"', hint: "as a list" },
  }),
  stackCase({
    id: "wrong-type-default",
    title: "default: as a string",
    files: only('certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    default: "yes"\n'),
    expect: { code: "wrong-type", at: '"yes"', message: "must be true or false", hint: "as true or false" },
  }),
  stackCase({
    id: "wrong-type-resource",
    title: "a resource that is a list",
    files: only("certificates:\n  api: [api.example.com]\n"),
    expect: { code: "wrong-type", at: "[api", message: "must be a mapping, not a list", hint: "as a mapping" },
  }),
  stackCase({
    id: "enum-key-type",
    title: "a key type certform does not make",
    files: only('certificates:\n  api:\n    generate: { hosts: ["api.example.com"], keyType: ec-p999 }\n'),
    expect: { code: "invalid-value", at: "ec-p999", message: "must be one of ec-p256", hint: "use one of ec-p256" },
  }),
  stackCase({
    id: "duration-invalid",
    title: "a validity that is not a duration",
    files: only('certificates:\n  api:\n    generate: { hosts: ["api.example.com"], validity: 90 days }\n'),
    expect: { code: "invalid-format", at: "90 days", message: "a duration is a whole number and a unit", hint: "correct the value" },
  }),
  stackCase({
    id: "api-version-wrong",
    title: "an apiVersion certform does not know",
    files: (m) => ({ "stack.yaml": stackText(m, GENERATED).replace("certform/v1", "certform/v2") }),
    expect: { code: "invalid-value", at: "certform/v2", message: "it must be one of certform/v1", hint: 'did you mean "certform/v1"?' },
  }),
  stackCase({
    id: "stack-name-missing",
    title: "a stack without its name",
    files: (m) => ({ "stack.yaml": stackText(m, GENERATED).replace("name: payments\n", "") }),
    expect: { code: "missing-key", line: 1, column: 1, message: 'the stack needs "name"', hint: "add name:" },
  }),
  stackCase({
    id: "resource-name-invalid",
    title: "a resource name with a space",
    files: only('certificates:\n  "my api":\n    generate: { hosts: ["api.example.com"] }\n'),
    expect: { code: "invalid-name", at: '"my api"', message: "is not a valid name", hint: "rename it" },
  }),
  stackCase({
    id: "duplicate-name-across-files",
    title: "the same certificate name in two files",
    files: (m) => ({ "a.yaml": stackText(m, GENERATED), "b.yaml": `${HEADER}${GENERATED}` }),
    expect: { code: "duplicate-name", file: "b.yaml", at: "api:", address: "certificates.api", message: /is declared twice: here and at \S*a\.yaml:10:3$/, hint: "rename one of them" },
  }),
  stackCase({
    id: "section-in-two-files",
    title: "environments declared in two files",
    files: (m) => ({ "a.yaml": stackText(m, GENERATED), "b.yaml": stackText(m, "") }),
    expect: { code: "section-duplicate", file: "b.yaml", at: "environments:", message: /the other is at \S*a\.yaml:4:1$/, hint: "declare environments in one file" },
  }),
  stackCase({
    id: "stack-name-differs",
    title: "two files of one directory naming different stacks",
    files: (m) => ({ "a.yaml": stackText(m, GENERATED), "b.yaml": HEADER.replace("payments", "billing") + 'trustedCertificates:\n  ca: { certificate: { url: "https://127.0.0.1:1" } }\n' }),
    expect: { code: "stack-name-mismatch", file: "b.yaml", at: "billing", message: /belongs to stack "billing" but \S*a\.yaml:3:7 names the stack "payments"/, hint: "split different stacks into different directories" },
  }),
  stackCase({
    id: "dangling-certificate-reference",
    title: "a trust assignment to a certificate nobody declares",
    files: only('endpoints:\n  billing: { url: "https://billing.internal:9443" }\ntrustAssignments:\n  billing-backend: { certificate: billing-ca, endpoint: billing }\n'),
    expect: { code: "reference-missing", at: "billing-ca", address: "trustAssignments.billing-backend[dev]", message: 'certificate "billing-ca" is not declared', hint: "declare trustedCertificates.billing-ca" },
  }),
  stackCase({
    id: "dangling-endpoint-reference",
    title: "a trust assignment to an endpoint nobody declares",
    files: (m) => ({ ...only(`${TRUSTED("billing-ca")}trustAssignments:\n  billing-backend: { certificate: partner-ca, endpoint: billing }\n`)(m), "ca.pem": m.pki.root.pem }),
    expect: { code: "reference-missing", at: "billing }", message: 'endpoint "billing" is not declared', hint: "declare endpoints.billing" },
  }),
  stackCase({
    id: "reference-wrong-kind",
    title: "a JWK derived from an endpoint",
    files: only('endpoints:\n  billing: { url: "https://billing.internal:9443" }\njwks:\n  signing: { certificate: billing, use: sig }\n'),
    expect: { code: "reference-missing", at: "billing,", message: 'certificate "billing" is not declared', hint: '"billing" is one of endpoints' },
  }),
  stackCase({
    id: "unknown-environment",
    title: "a resource in an environment the stack does not have",
    files: only('certificates:\n  api:\n    environments: [dev, staging]\n    generate: { hosts: ["api.example.com"] }\n'),
    expect: { code: "unknown-environment", at: "staging", message: 'environment "staging" is not declared', hint: "use one of: dev, prod" },
  }),
  stackCase({
    id: "alias-with-spaces",
    title: "a truststore alias with spaces",
    files: (m) => ({ ...only(TRUSTED('"partner ca"'))(m), "ca.pem": m.pki.root.pem }),
    expect: { code: "alias-invalid", at: '"partner ca"', message: "has characters outside [A-Za-z0-9._-]", hint: "1 to 64 characters" },
  }),
  stackCase({
    id: "alias-with-nul",
    title: "a truststore alias with a NUL byte",
    files: (m) => ({ ...only(TRUSTED('"partner\\0ca"'))(m), "ca.pem": m.pki.root.pem }),
    expect: { code: "alias-invalid", at: '"partner', message: 'alias "partner\\x00ca"', hint: "1 to 64 characters" },
  }),
  stackCase({
    id: "alias-twice",
    title: "two truststore entries with one alias",
    files: (m) => ({ ...only(`${TRUSTED("partner")}  other-ca:\n    alias: partner\n    certificate: { file: ca.pem }\n`)(m), "ca.pem": m.pki.root.pem }),
    expect: { code: "alias-duplicate", at: "partner", nth: 3, message: "is also used by trustedCertificates.partner-ca[dev]", hint: "give one of them another alias" },
  }),
  stackCase({
    id: "env-unset",
    title: "an unset ${env:…}",
    files: only('endpoints:\n  billing: { url: "https://${env:CERTFORM_CATALOGUE_UNSET}:9443" }\n'),
    expect: { code: "env-unset", at: "\"https://${env:", message: "CERTFORM_CATALOGUE_UNSET is not set", hint: "${env:CERTFORM_CATALOGUE_UNSET:-value}" },
  }),
  stackCase({
    id: "variable-unknown",
    title: "a ${var:…} nobody declares",
    files: only('endpoints:\n  billing: { url: "https://${var:billingHost}:9443" }\n'),
    expect: { code: "variable-unknown", at: "\"https://${var:", message: 'variable "billingHost" is not declared', hint: "declare it under variables:" },
  }),
  stackCase({
    id: "interpolation-unclosed",
    title: "an interpolation never closed",
    files: only('endpoints:\n  billing: { url: "https://${env:BILLING_HOST:9443" }\n'),
    expect: { code: "interpolation-invalid", at: "\"https://${env:", message: "a ${ is not closed by }", hint: "write $${ for a literal ${" },
  }),
  stackCase({
    id: "gateway-without-nodes",
    title: "an environment whose gateway lists no node",
    files: (m) => ({ "stack.yaml": stackText(m, GENERATED).replace(/nodes: \["[^"]+"\] \}\n {2}prod/, "nodes: [] }\n  prod") }),
    expect: { code: "gateway-no-nodes", at: "nodes: []", message: "the gateway lists no nodes", hint: "list the admin URL of every node" },
  }),
  stackCase({
    id: "gateway-node-invalid",
    title: "a node that is not an admin URL",
    files: (m) => ({ "stack.yaml": stackText(m, GENERATED).replace(/nodes: \["[^"]+"\] \}\n {2}prod/, 'nodes: ["gateway-1:8081"] }\n  prod') }),
    expect: { code: "gateway-node-invalid", at: "\"gateway-1", address: "environments.dev", message: "is not a http:// or https:// admin URL", hint: "http://127.0.0.1:8081" },
  }),
  stackCase({
    id: "certificate-and-generate",
    title: "a certificate both given and generated",
    files: (m) => ({ ...only('certificates:\n  api:\n    certificate: { file: api.pem }\n    key: { file: api.key }\n    generate: { hosts: ["api.example.com"] }\n')(m), "api.pem": m.pki.chainPem, "api.key": m.pki.leaf.keyPem }),
    expect: { code: "certificate-and-generate", at: "generate:", message: "has both certificate and generate", hint: "not both" },
  }),
  stackCase({
    id: "csr-and-acme",
    title: "a certificate signed by an outside CA that is also ordered from ACME",
    files: only('certificates:\n  api:\n    generate:\n      csr: { hosts: ["api.example.com"] }\n      acme: { directory: "https://acme.example.com/directory" }\n'),
    expect: { code: "csr-and-acme", at: "acme:", message: "generate.csr is signed by an outside CA, so generate.acme does not apply", hint: "remove generate.acme, or remove csr:" },
  }),
  stackCase({
    id: "generate-hosts-missing",
    title: "a generated certificate without hosts",
    files: only("certificates:\n  api:\n    generate: { keyType: ec-p256 }\n"),
    expect: { code: "generate-hosts-missing", at: "generate:", message: "generate: needs hosts", hint: "add hosts: [...] under generate:" },
  }),
  stackCase({
    id: "trust-endpoint-and-scope",
    title: "a trust assignment with both endpoint and scope",
    files: (m) => ({ ...only(`${TRUSTED("billing-ca")}endpoints:\n  billing: { url: "https://billing.internal:9443" }\ntrustAssignments:\n  both: { certificate: partner-ca, endpoint: billing, scope: environment }\n`)(m), "ca.pem": m.pki.root.pem }),
    expect: { code: "trust-target", at: "scope:", nth: 1, message: "has both endpoint and scope: environment", hint: "keep one" },
  }),
];
