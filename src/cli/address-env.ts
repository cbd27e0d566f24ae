import { parseAddress, type ResourceKind } from "../model/index.js";

export interface Refusal {
  code: string;
  message: string;
  hint: string;
}

/** An address of one of `kinds` and the one environment it names (in brackets, or with --env). */
export function addressInOneEnvironment(text: string, env: readonly string[] | undefined, kinds: readonly ResourceKind[], example: string): { address: ReturnType<typeof parseAddress>; environment: string } | { refused: Refusal } {
  let address;
  try {
    address = parseAddress(text);
  } catch (err) {
    return { refused: { code: "bad-address", message: (err as Error).message, hint: `e.g. ${example}` } };
  }
  if (!kinds.includes(address.kind)) return { refused: { code: "bad-address", message: `${text} is not a ${kinds.length > 1 ? "certificate" : "server certificate"}`, hint: `give a ${kinds.map((k) => `${k}.NAME`).join(" or ")} address` } };
  const envs = [...new Set([...(env ?? []), ...(address.environment ? [address.environment] : [])])];
  if (envs.length !== 1) return { refused: { code: "usage", message: envs.length === 0 ? "which environment? give --env NAME" : `the address and --env name different environments (${envs.join(", ")})`, hint: "e.g. --env prod, or certificates.api[prod]" } };
  return { address, environment: envs[0]! };
}
