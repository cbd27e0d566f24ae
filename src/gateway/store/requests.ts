import type { RequestPutBody, RequestViewBody } from "../api/admin-api.js";
import { quoteValue } from "../../model/redact.js";
import { createCsr, csrKeyFingerprint, decodePrivateKey, dnProblem, fingerprintKey, generateKeyPairFor, hostProblem, type KeyType } from "../../x509/index.js";
import { openSealed, seal, type SealedKey, type TransferKey } from "../seal.js";
import type { GatewayState, StoredRequest } from "../state.js";
import { fail, isFailure, type Failure } from "./failure.js";
import { decodeAt } from "./material.js";
import { sameContent } from "./records.js";

// Pending signing requests: the key is made on one node and reaches the other nodes of the environment only
// sealed to each of them. A certificate written with keyFrom takes the key and ends the request (mutations-
// certificates.ts), in the same commit.

export type PreparedRequest = Omit<StoredRequest, "name" | "updatedRevision">;

/** What a sealed copy holds: the request without its name and labels, which the receiving write gives. */
type SealedContent = Omit<PreparedRequest, "labels">;

/** A request put made ready outside the commit queue: the key is generated (or unsealed) here. */
export async function prepareRequest(body: RequestPutBody, transferKey: TransferKey): Promise<PreparedRequest | Failure> {
  if ((body.csr === undefined) === (body.sealed === undefined)) {
    return fail(422, "request-source", "give either csr (make a new key here) or sealed (another node's request), exactly one", { field: "csr", hint: "send csr: { hosts: [...] }, or sealed: what POST /v1/requests/{name}/seal answered on the node that holds it" });
  }
  if (body.csr) {
    for (const [i, host] of body.csr.hosts.entries()) {
      const problem = hostProblem(host);
      if (problem) return fail(422, "host-invalid", `csr.hosts[${i}]: host ${quoteValue(host)} is not valid: ${problem}`, { field: `csr.hosts[${i}]` });
    }
    const subjectProblem = body.csr.subject === undefined ? undefined : dnProblem(body.csr.subject);
    if (subjectProblem) return fail(422, "subject-invalid", `csr.subject ${quoteValue(body.csr.subject!)} is not a distinguished name: ${subjectProblem}`, { field: "csr.subject", hint: 'most specific first, e.g. "CN=api.example.com, O=Example"' });
    const key = await generateKeyPairFor(body.csr.keyType as KeyType);
    const csrPem = await createCsr({ key, hosts: body.csr.hosts, ...(body.csr.subject !== undefined ? { subject: body.csr.subject } : {}) });
    const keyPem = key.export({ type: "pkcs8", format: "pem" }).toString();
    return { keyType: body.csr.keyType, ...(body.csr.subject !== undefined ? { subject: body.csr.subject } : {}), hosts: body.csr.hosts, csrPem, keyPem, keyFingerprint256: fingerprintKey(key), labels: body.labels };
  }
  const opened = openSealed(body.sealed as SealedKey, transferKey);
  if (!opened) {
    return fail(422, "sealed-unreadable", "sealed: this node cannot open it: it was sealed to another transfer key (this node restarted since, or it was meant for another node)", { field: "sealed", hint: "ask for the node's transfer key again (GET /v1/transfer-key) and seal the request to it" });
  }
  const content = JSON.parse(opened.toString("utf8")) as SealedContent;
  const key = decodeAt("sealed", () => decodePrivateKey(content.keyPem));
  if (isFailure(key)) return key;
  if (fingerprintKey(key) !== content.keyFingerprint256 || (await csrKeyFingerprint(content.csrPem)) !== content.keyFingerprint256) {
    return fail(422, "key-mismatch", "sealed: the key does not belong to the request it came with", { field: "sealed" });
  }
  return { ...content, labels: body.labels };
}

/** The request sealed to another node's transfer key: the one way its key leaves this node. */
export function sealRequest(r: StoredRequest, recipient: string): SealedKey {
  const content: SealedContent = { keyType: r.keyType, ...(r.subject !== undefined ? { subject: r.subject } : {}), hosts: r.hosts, csrPem: r.csrPem, keyPem: r.keyPem, keyFingerprint256: r.keyFingerprint256 };
  return seal(Buffer.from(JSON.stringify(content)), recipient);
}

export const requestOf = (state: GatewayState, name: string): StoredRequest | undefined => (Object.hasOwn(state.requests, name) ? state.requests[name] : undefined);

export function putRequest(state: GatewayState, name: string, value: PreparedRequest, revision: number): GatewayState {
  const existing = requestOf(state, name);
  const next: StoredRequest = { name, ...value, updatedRevision: revision };
  if (existing && sameContent(existing, next)) return state;
  return { ...state, requests: { ...state.requests, [name]: next } };
}

export function deleteRequest(state: GatewayState, name: string): GatewayState | Failure {
  if (!requestOf(state, name)) return fail(404, "not-found", `there is no signing request ${quoteValue(name)}`);
  const { [name]: _gone, ...rest } = state.requests;
  return { ...state, requests: rest };
}

export function requestView(r: StoredRequest): RequestViewBody {
  return { name: r.name, csr: r.csrPem, keyFingerprint256: r.keyFingerprint256, keyType: r.keyType, ...(r.subject !== undefined ? { subject: r.subject } : {}), hosts: r.hosts, labels: r.labels, updatedRevision: r.updatedRevision };
}

export function requestList(state: GatewayState): RequestViewBody[] {
  return Object.values(state.requests)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(requestView);
}
