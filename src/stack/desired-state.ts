import type { KeyObject, X509Certificate } from "node:crypto";
import type {
  Alerts,
  CertificateResource,
  CertificateSource,
  EndpointResource,
  EnvironmentSpec,
  JwkResource,
  ResourceKind,
  TrustAssignmentResource,
  TrustedCertificateResource,
} from "../model/index.js";
import type { PolicyExceptionValue } from "../model/plan.js";
import type { Origin } from "./merge.js";

/** Certificate material read from a source: the chain leaf first, and the key where there is one. */
export interface Material {
  chain: X509Certificate[];
  key?: KeyObject;
}

export interface Instance<K extends ResourceKind, S> {
  address: string;
  kind: K;
  name: string;
  environment: string;
  /** The declaration with every ${…} expanded for this environment. */
  spec: S;
  origin: Origin;
  material?: Material;
  /** Top-level fields of the declaration holding a ${…} that could not be expanded (already reported). */
  unresolved?: string[];
}

export type CertificateInstance = Instance<"certificates", CertificateResource> & {
  /** The hosts it is served for: declared, generated, or else its DNS and IP SANs (set once material is read). */
  hosts: string[];
};
export type TrustedCertificateInstance = Instance<"trustedCertificates", TrustedCertificateResource> & { alias: string };
export type EndpointInstance = Instance<"endpoints", EndpointResource> & { path: string };
export type TrustAssignmentInstance = Instance<"trustAssignments", TrustAssignmentResource>;
export type JwkInstance = Instance<"jwks", JwkResource>;
export type AnyInstance = CertificateInstance | TrustedCertificateInstance | EndpointInstance | TrustAssignmentInstance | JwkInstance;

export interface EnvironmentState {
  name: string;
  spec: EnvironmentSpec;
  origin: Origin;
  /**
   * The environment variable the gateway's admin token is read from (`token: ${env:VAR}`), for the hint of
   * a refused token: `spec` holds the token already expanded, so only instantiation can tell.
   */
  tokenVariable?: string;
  certificates: CertificateInstance[];
  trustedCertificates: TrustedCertificateInstance[];
  endpoints: EndpointInstance[];
  trustAssignments: TrustAssignmentInstance[];
  jwks: JwkInstance[];
  /**
   * The certificate the nodes' admin API serves (`managementCertificate:`), as a certificate instance whose
   * hosts are those of the nodes' admin URLs; kept apart from `certificates`, which the data plane serves.
   */
  management?: ManagementInstance;
}

export type ManagementInstance = CertificateInstance & {
  management: true;
  caBundle?: CertificateSource;
  /** The CAs certform trusts the admin API by: the chain's self-signed root and caBundle (once read). */
  trustAnchors: X509Certificate[];
};

/** Every certificate the environment's nodes hold: the data plane's, then the admin API's (managementCertificate). */
export function certificateInstances(env: EnvironmentState): CertificateInstance[] {
  return env.management ? [...env.certificates, env.management] : env.certificates;
}

/** What the stack declares, per environment in declaration order: the input of plan. */
export interface DesiredState {
  stack: string;
  alerts: Alerts;
  environments: EnvironmentState[];
  /** Policy findings an except entry lets pass, with its reason: the plan shows them. */
  policyExceptions?: PolicyExceptionValue[];
}
