import { RESOURCE_KINDS, type ResourceKind } from "./names.js";

/** `certificates.api` names a declared resource; `certificates.api[prod]` its instance in one environment. */
export interface Address {
  kind: ResourceKind;
  name: string;
  environment?: string;
}

export function formatAddress(a: Address): string {
  return a.environment === undefined ? `${a.kind}.${a.name}` : `${a.kind}.${a.name}[${a.environment}]`;
}

const ADDRESS_PATTERN = /^([A-Za-z]+)\.([A-Za-z0-9][A-Za-z0-9._-]{0,63}?)(?:\[([A-Za-z0-9][A-Za-z0-9._-]{0,63})\])?$/;

export function parseAddress(text: string): Address {
  const m = ADDRESS_PATTERN.exec(text);
  const kind = m?.[1];
  if (!m || !(RESOURCE_KINDS as readonly string[]).includes(kind!)) {
    throw new Error(
      `"${text}" is not an address: write KIND.NAME or KIND.NAME[ENVIRONMENT], with KIND one of ${RESOURCE_KINDS.join(", ")}`,
    );
  }
  return m[3] === undefined
    ? { kind: kind as ResourceKind, name: m[2]! }
    : { kind: kind as ResourceKind, name: m[2]!, environment: m[3] };
}
