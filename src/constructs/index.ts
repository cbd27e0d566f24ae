// certform as cdktf constructs: `import { App, CertformStack, ServerCertificate } from "certform"`.
// A TypeScript stack describes exactly the model of a YAML stack and is validated by the same code.
export { Construct } from "constructs";
export { App, CertformStack, type CertformStackProps } from "./stack.js";
export {
  CertformConstruct,
  Endpoint,
  Environment,
  Jwk,
  ServerCertificate,
  TrustAssignment,
  TrustedCertificate,
  type EndpointProps,
  type EnvironmentProps,
  type EnvironmentRef,
  type JwkProps,
  type ServerCertificateProps,
  type TrustAssignmentProps,
  type TrustedCertificateProps,
} from "./resources.js";
export { ENVIRONMENT, envRef, varRef } from "./interpolation.js";
