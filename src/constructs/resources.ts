import { Construct } from "constructs";
import type { z } from "zod";
import type {
  CertificateResourceSchema,
  EndpointResourceSchema,
  EnvironmentSchema,
  JwkResourceSchema,
  TrustAssignmentResourceSchema,
  TrustedCertificateResourceSchema,
} from "../model/index.js";
import { DECLARATION, type Declaration, type DeclarationKind } from "../stack/typescript/brand.js";
import { captureSite } from "../stack/typescript/site.js";

// Props are the zod model's input types (StackFileSchema stays the one source of truth): a prop the model
// does not have, or a value of the wrong type, is a compile error, and at load time the same schema and
// checks run as for YAML. References to other declarations may be constructs or names.

/** The model's input type, accepting readonly arrays too (props are only read). */
export type Input<S extends z.ZodType> = ReadonlyArrays<z.input<S>>;
type ReadonlyArrays<T> = T extends readonly (infer U)[] ? readonly ReadonlyArrays<U>[] : T extends object ? { [K in keyof T]: ReadonlyArrays<T[K]> } : T;

interface Naming {
  /** The name in the stack (and in addresses such as `certificates.NAME`); default: the construct id. */
  name?: string;
}

/** An environment, by construct or by name. */
export type EnvironmentRef = Environment | string;

interface Placement extends Naming {
  /** Environments this resource exists in; default: every environment of the stack. */
  environments?: readonly EnvironmentRef[];
}

type ResourceProps<S extends z.ZodType, Refs extends string = never> = Omit<Input<S>, "environments" | Refs> & Placement;

export type EnvironmentProps = Input<typeof EnvironmentSchema> & Naming;
export type ServerCertificateProps = ResourceProps<typeof CertificateResourceSchema>;
export type TrustedCertificateProps = ResourceProps<typeof TrustedCertificateResourceSchema>;
export type EndpointProps = ResourceProps<typeof EndpointResourceSchema>;
export type TrustAssignmentProps = ResourceProps<typeof TrustAssignmentResourceSchema, "certificate" | "endpoint"> & {
  /** The trusted certificate: a TrustedCertificate or a trustedCertificates name. */
  certificate: TrustedCertificate | string;
  /**
   * The endpoint that trusts it (its backend). Exactly one of endpoint / scope, except with scope: "clients",
   * where it limits mutual TLS to that endpoint's routes.
   */
  endpoint?: Endpoint | string;
};
export type JwkProps = ResourceProps<typeof JwkResourceSchema, "certificate"> & {
  /** The certificate the JWK is derived from: a ServerCertificate, a TrustedCertificate or a name of either. */
  certificate: ServerCertificate | TrustedCertificate | string;
};

/** A certform declaration in the construct tree. */
export abstract class CertformConstruct<P extends Naming> extends Construct {
  readonly [DECLARATION]: Declaration;
  /** The name in the stack. */
  readonly name: string;
  /** The props as given; certform reads them when the stack is loaded or synthesized. */
  readonly props: P;

  protected constructor(scope: Construct, id: string, kind: DeclarationKind, props: P) {
    super(scope, id);
    this.name = props.name ?? id;
    this.props = props;
    const site = captureSite();
    this[DECLARATION] = { kind, name: this.name, props: props as Record<string, unknown>, ...(site ? { site } : {}) };
  }

  /** The address of the declaration, e.g. `certificates.api` (instances add `[environment]`). */
  get address(): string {
    return `${this[DECLARATION].kind}.${this.name}`;
  }
}

/** One gateway cluster: `environments.NAME`. */
export class Environment extends CertformConstruct<EnvironmentProps> {
  constructor(scope: Construct, id: string, props: EnvironmentProps) {
    super(scope, id, "environments", props);
  }
}

/** A TLS server certificate that the gateway serves, chosen by SNI: `certificates.NAME`. */
export class ServerCertificate extends CertformConstruct<ServerCertificateProps> {
  constructor(scope: Construct, id: string, props: ServerCertificateProps) {
    super(scope, id, "certificates", props);
  }
}

/** A truststore entry, a backend's CA or self-signed certificate: `trustedCertificates.NAME`. */
export class TrustedCertificate extends CertformConstruct<TrustedCertificateProps> {
  constructor(scope: Construct, id: string, props: TrustedCertificateProps) {
    super(scope, id, "trustedCertificates", props);
  }
}

/** A backend the gateway proxies to: `endpoints.NAME`. */
export class Endpoint extends CertformConstruct<EndpointProps> {
  constructor(scope: Construct, id: string, props: EndpointProps) {
    super(scope, id, "endpoints", props);
  }
}

/** Who trusts what, exactly one of endpoint / scope (scope "clients" may name an endpoint too): `trustAssignments.NAME`. */
export class TrustAssignment extends CertformConstruct<TrustAssignmentProps> {
  constructor(scope: Construct, id: string, props: TrustAssignmentProps) {
    super(scope, id, "trustAssignments", props);
  }
}

/** A JWK derived from a certificate, published by the gateway: `jwks.NAME`. */
export class Jwk extends CertformConstruct<JwkProps> {
  constructor(scope: Construct, id: string, props: JwkProps) {
    super(scope, id, "jwks", props);
  }
}
