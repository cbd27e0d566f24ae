// The payments platform of examples/multi-env, written as a TypeScript stack: the same environments,
// certificates, endpoints, trust and JWKs, so that both give the same plan (test/typescript-parity.test.ts).
//
//   npx certform validate examples/typescript/main.ts
//   npx certform plan examples/typescript/main.ts --env dev
//   npx certform synth examples/typescript/main.ts        # or: npx cdktf synth (cdktf.json at the root)
//
// Relative file sources start from the directory of the file that creates the CertformStack, or from its
// baseDir: here multi-env's, whose public certificates this stack shares.
import {
  App,
  CertformStack,
  Construct,
  Endpoint,
  ENVIRONMENT,
  Environment,
  envRef,
  Jwk,
  ServerCertificate,
  TrustAssignment,
  TrustedCertificate,
  varRef,
} from "certform";

/** The admin URLs of an environment's nodes: CERTFORM_EXAMPLE_<ENV>_NODES (comma-separated), else the local defaults. */
function nodes(environment: string, defaults: string[]): string[] {
  return process.env[`CERTFORM_EXAMPLE_${environment.toUpperCase()}_NODES`]?.split(",") ?? defaults;
}

const app = new App();

const stack = new CertformStack(app, "payments", {
  baseDir: "../multi-env",
  description: "Public API, checkout and partner gateways of the payments platform.",
  variables: {
    // A variable's value may use ${environment} and ${env:…}, but not other variables.
    domain: { default: `${ENVIRONMENT}.payments.example.com`, environments: { prod: "payments.example.com" } },
    apiHost: { default: `api.${ENVIRONMENT}.payments.example.com`, environments: { prod: "api.payments.example.com" } },
    checkoutHost: { default: `checkout.${ENVIRONMENT}.payments.example.com`, environments: { prod: "checkout.payments.example.com" } },
    partnerHost: {
      description: "Host whose clients authenticate with a client certificate (mutual TLS).",
      default: `partners.${ENVIRONMENT}.payments.example.com`,
      environments: { prod: "partners.payments.example.com" },
    },
    internalDomain: `${ENVIRONMENT}.payments.internal`, // the same in every environment
  },
  alerts: { warnBefore: "30d", criticalBefore: "7d" },
  // The security team's rules, as multi-env's policies.yaml declares them.
  policies: {
    "strong-keys": {
      rule: "keyTypes",
      allow: ["ec-p256", "ec-p384", "rsa-3072", "rsa-4096"],
      environments: ["prod"],
      except: [{ address: "certificates.checkout", reason: "older card terminals speak RSA-2048 only; replaced by Q3" }],
    },
    "short-lived": { rule: "maxValidity", max: "398d" },
    "enough-left": { rule: "minDaysLeftAtDeploy", days: 14, severity: "warning" },
    "prod-hosts": { rule: "hosts", environments: ["prod"], allow: ["payments.example.com", "*.payments.example.com"] },
    "no-wildcards-in-prod": { rule: "wildcards", environments: ["prod"], forbidden: true },
    "no-sha1": { rule: "signatureAlgorithms", forbid: ["sha1", "md5"] },
    "backend-trust": { rule: "trust", allow: ["corp-root-ca", "ledger-ca", "fraud-scoring"] },
    "token-algorithms": { rule: "jwks", allow: ["RS256", "ES256"] },
  },
});

// Environments: one gateway cluster each.
const dev = new Environment(stack, "dev", {
  description: "Developer cluster; no admin token.",
  gateway: { type: "embedded", nodes: nodes("dev", ["http://127.0.0.1:8081"]) },
});
const test = new Environment(stack, "test", {
  description: "Integration tests with partner sandboxes.",
  // validate leaves an unset ${env:…} in a gateway's settings alone; plan and apply need it set.
  gateway: { type: "embedded", nodes: nodes("test", ["http://127.0.0.1:8085"]), token: envRef("CERTFORM_TEST_TOKEN") },
});
const prod = new Environment(stack, "prod", {
  description: "Production, two gateway nodes behind the load balancer.",
  gateway: { type: "embedded", nodes: nodes("prod", ["http://127.0.0.1:8091", "http://127.0.0.1:8092"]), token: envRef("CERTFORM_PROD_TOKEN"), timeout: "15s" },
});

// Server certificates, all generated on the gateways: this repository holds no private key.
new ServerCertificate(stack, "api", {
  generate: { hosts: [varRef("apiHost")], keyType: "ec-p256", validity: "90d", renewBefore: "30d" },
});
new ServerCertificate(stack, "checkout", {
  generate: { hosts: [varRef("checkoutHost")], keyType: "rsa-2048", validity: "180d", renewBefore: "45d" },
});
new ServerCertificate(stack, "partners", {
  generate: { hosts: [varRef("partnerHost")], keyType: "ec-p384", validity: "90d", renewBefore: "30d" },
});
new ServerCertificate(stack, "preview-wildcard", {
  environments: [dev, test],
  default: true,
  generate: { hosts: [`*.preview.${varRef("domain")}`], keyType: "ec-p256", validity: "30d", renewBefore: "10d" },
});
new ServerCertificate(stack, "edge", {
  environments: [prod],
  description: "payments.example.com; certform refuses to delete it (replacing it at renewal stays allowed).",
  default: true,
  protect: true,
  generate: { hosts: [varRef("domain"), `www.${varRef("domain")}`], keyType: "rsa-3072", validity: "365d", renewBefore: "60d" },
});

// Backends and the truststore entries they are verified against. Constructs can be grouped freely:
// certform reads every certform construct under the stack, whatever the scope in between.
const backends = new Construct(stack, "backends");
const ledger = new Endpoint(backends, "ledger", { url: `https://ledger.${varRef("internalDomain")}:8443` });
const fraudScoring = new Endpoint(backends, "fraud-scoring", { url: `https://fraud-scoring.${varRef("internalDomain")}:9443`, path: "/risk/score" });
new Endpoint(backends, "payouts", { environments: [test, prod], url: `https://payouts.${varRef("internalDomain")}`, path: "/payouts" });
new Endpoint(backends, "notifications", { environments: [dev], url: `http://notifications.${varRef("internalDomain")}:8080` });

const ledgerCa = new TrustedCertificate(backends, "ledger-ca", { certificate: { file: "certs/ledger-ca.pem" } });
// Ids are unique among siblings; `name` gives the stack name when it is already the id of another construct.
const fraudScoringCert = new TrustedCertificate(backends, "fraud-scoring-certificate", {
  name: "fraud-scoring",
  alias: `fraud-scoring-${ENVIRONMENT}`,
  certificate: { file: `certs/fraud-scoring-${ENVIRONMENT}.pem` },
});
new TrustAssignment(backends, "ledger-backend", { certificate: ledgerCa, endpoint: ledger });
new TrustAssignment(backends, "fraud-scoring-backend", { certificate: fraudScoringCert, endpoint: fraudScoring });

// JWKs derived from signing certificates.
const signing = new Construct(stack, "signing");
const authSigning = new TrustedCertificate(signing, "auth-signing", { certificate: { file: "certs/auth-signing.pem" } });
const webhookSigning = new TrustedCertificate(signing, "webhook-signing", { environments: [test, prod], certificate: { file: "certs/webhook-signing.pem" } });
new Jwk(signing, "auth-signing-jwk", {
  name: "auth-signing",
  certificate: authSigning,
  use: "sig",
  alg: "RS256",
  onCertificateChange: "update",
  onCertificateDelete: "delete",
});
new Jwk(signing, "webhook-signing-jwk", {
  name: "webhook-signing",
  environments: [test, prod],
  certificate: webhookSigning,
  use: "sig",
  alg: "ES256",
  kid: `payments-webhooks-${ENVIRONMENT}`,
  onCertificateChange: "disconnect", // partners cache this key: keep publishing it when the certificate changes
  onCertificateDelete: "disconnect",
});

// Trust that is not tied to one backend.
const trust = new Construct(stack, "trust");
const corpRoot = new TrustedCertificate(trust, "corp-root-ca", { alias: "corp-root-2049", certificate: { file: "certs/corp-root-ca.pem" }, protect: true });
const partnerCa = new TrustedCertificate(trust, "partner-ca", { environments: [prod], protect: true, certificate: { file: "certs/partner-ca.pem" } });
const partnerSandboxCa = new TrustedCertificate(trust, "partner-sandbox-ca", { environments: [dev, test], certificate: { file: "certs/partner-sandbox-ca.pem" } });
// Pasted from the identity provider's console: the PEM text in base64 (the same as multi-env/trust.yaml).
const idpCa = new TrustedCertificate(trust, "idp-ca", {
  alias: "idp.payments-ca",
  certificate: {
    encoding: "BASE64PEM",
    base64: `
LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUNBRENDQWFXZ0F3SUJBZ0lRZG02clJBNWVT
QmxjN0ZzOVZGNzF6akFLQmdncWhrak9QUVFEQWpCUE1Rc3cKQ1FZRFZRUUdFd0pWVXpFWk1CY0dB
MVVFQ2hNUVJYaGhiWEJzWlNCUVlYbHRaVzUwY3pFbE1DTUdBMVVFQXhNYwpSWGhoYlhCc1pTQkpa
R1Z1ZEdsMGVTQlFjbTkyYVdSbGNpQkRRVEFlRncweU5qRXhNalV3TURBd01qZGFGdzAwCk9URXlN
ekV5TXpVNU5UbGFNRTh4Q3pBSkJnTlZCQVlUQWxWVE1Sa3dGd1lEVlFRS0V4QkZlR0Z0Y0d4bElG
QmgKZVcxbGJuUnpNU1V3SXdZRFZRUURFeHhGZUdGdGNHeGxJRWxrWlc1MGFYUjVJRkJ5YjNacFpH
VnlJRU5CTUZrdwpFd1lIS29aSXpqMENBUVlJS29aSXpqMERBUWNEUWdBRTU5Z3pWeW8yQ1VzSkZk
d0dIdmJmS1FIcHp2NitRUytiCm1JK3BDNkMzbmRyS0VaVXB4enl3WHJkNmdxU3ptZUhsT2dETURZ
cm5mVmgyU3ExVitHSlFhYU5qTUdFd0R3WUQKVlIwVEFRSC9CQVV3QXdFQi96QU9CZ05WSFE4QkFm
OEVCQU1DQVlZd0hRWURWUjBPQkJZRUZQVVMzMXFQUjJNNwpkZUFtTkpJTk02cG9Xd2tRTUI4R0Ex
VWRJd1FZTUJhQUZQVVMzMXFQUjJNN2RlQW1OSklOTTZwb1d3a1FNQW9HCkNDcUdTTTQ5QkFNQ0Ew
a0FNRVlDSVFEKzhGWTFPN0FycGdRNmhXc2RGT2dQYUdCdHNaNjBKRW05aStuS3BmVmMKRFFJaEFN
cjhsbHV5S3B3Tmp0MnkvNkdHNitkTllpK1VqcVYraTFwSzJwdTBkc3pHCi0tLS0tRU5EIENFUlRJ
RklDQVRFLS0tLS0K
`.trimStart(),
  },
});

new TrustAssignment(trust, "corp-root", { certificate: corpRoot, scope: "environment" });
new TrustAssignment(trust, "idp", { certificate: idpCa, scope: "management" });
new TrustAssignment(trust, "partners", { environments: [prod], certificate: partnerCa, scope: "clients", hosts: [varRef("partnerHost")], required: true });
new TrustAssignment(trust, "partners-sandbox", { environments: [dev, test], certificate: partnerSandboxCa, scope: "clients", hosts: [varRef("partnerHost")], required: false });

// Writes cdktf.out/stacks/payments/cdk.tf.json when run (npx tsx main.ts, cdktf synth); certform's own
// commands read the constructs and hold this back.
app.synth();
