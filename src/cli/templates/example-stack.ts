/** The stack `certform init` writes: valid as it stands, with the rest of the format shown in comments. */
export const exampleStack = (name: string) => `# yaml-language-server: $schema=../schemas/stack.schema.json
# A certform stack: the certificates your gateways serve, what they trust, and the JWKs they publish.
# Reference: docs/stack-format.md in the certform package (every field, source and check).
apiVersion: certform/v1
kind: Stack
name: ${name.padEnd(24)} # certform only ever changes gateway objects owned by this stack

variables:
  apiHost:
    default: api.dev.example.com
    environments: { prod: api.example.com }

environments:                  # one gateway cluster each
  dev:
    gateway:
      type: embedded
      nodes: ["http://127.0.0.1:8081"]          # admin URL of every node
      # token: \${env:CERTFORM_DEV_TOKEN}
  prod:
    gateway: { type: embedded, nodes: ["http://10.0.0.1:8081", "http://10.0.0.2:8081"], token: "\${env:CERTFORM_PROD_TOKEN}" }

certificates:                  # TLS server certificates, chosen by SNI
  dev-wildcard:
    environments: [dev]
    generate:                  # made at apply time; its key never leaves the gateways
      hosts: ["*.dev.example.com"]
      keyType: ec-p256
      validity: 90d
      renewBefore: 30d
  # api:
  #   certificate: { file: "certs/\${environment}/api.pem" }    # leaf first, then intermediates
  #   key: { file: "certs/\${environment}/api.key" }            # never inline; or { env: API_KEY_PEM }
  #   hosts: ["\${var:apiHost}"]

# trustedCertificates:         # truststore entries: a backend's CA or self-signed certificate
#   billing-ca:
#     certificate: { url: "https://billing.internal:9443", select: root, sha256: "AB:CD:…" }

# endpoints:                   # backends the gateway proxies to
#   billing: { url: "https://billing.internal:9443", path: /billing }

# trustAssignments:            # exactly one of endpoint / scope (environment | management | clients)
#   billing-backend: { certificate: billing-ca, endpoint: billing }

# jwks:
#   billing-signing: { certificate: billing-ca, use: sig, onCertificateChange: update, onCertificateDelete: delete }

alerts: { warnBefore: 30d, criticalBefore: 7d }
`;

export const GITIGNORE_LINES = ["# certform: local state and key material never belong in git", ".certform/", "*.key", "*-key.pem", "*.key.pem", "*.p12", "*.pfx", "*.jks", "*.jceks"];
