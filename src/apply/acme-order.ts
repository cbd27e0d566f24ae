import type { KeyObject } from "node:crypto";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import acme from "acme-client";
import type { AcmeChallengeBody } from "../providers/provider.js";

// Ordering a certificate from an ACME CA (RFC 8555) with acme-client. The challenge is answered by the
// gateway itself: `publish` puts the response on every node of the environment, `remove` takes it off
// again. acme-client keeps its HTTP settings (the agent that trusts the CA) on one shared axios instance,
// so orders in one process run one at a time.

export interface AcmeOrder {
  directory: string;
  email?: string;
  challenge: "tls-alpn-01" | "http-01";
  /** PEM of the CAs that sign the directory's HTTPS certificate, besides the public ones. */
  caBundle?: string;
  hosts: string[];
  /** The certificate's key, made by certform; only its CSR goes to the CA. */
  key: KeyObject;
  accountKey: KeyObject;
}

export interface ChallengePublisher {
  publish(token: string, body: AcmeChallengeBody): Promise<void>;
  remove(token: string): Promise<void>;
}

/** An RFC 7807 problem document, as the CA sent it. */
export interface AcmeProblem {
  type: string;
  detail?: string;
  status?: number;
}

/** A failed order, with the CA's problem document when it sent one. */
export class AcmeError extends Error {
  constructor(message: string, readonly problem?: AcmeProblem) {
    super(message);
    this.name = "AcmeError";
  }
}

/** A node refused to serve a challenge response: the CA was never asked, so there is no problem document. */
class ChallengeNotServed extends AcmeError {}

let queue: Promise<unknown> = Promise.resolve();
let lastProblem: AcmeProblem | undefined;
let capturing = false;

/** The chain (PEM, leaf first) the CA issued for `order.hosts`. */
export function orderCertificate(order: AcmeOrder, publisher: ChallengePublisher): Promise<string> {
  const run = queue.then(() => runOrder(order, publisher));
  queue = run.catch(() => undefined);
  return run;
}

async function runOrder(order: AcmeOrder, publisher: ChallengePublisher): Promise<string> {
  captureProblems();
  lastProblem = undefined;
  // Without this agent's CAs a private CA's directory fails verification, and acme-client retries that as a
  // network error for over a minute before it says so. One connection carries the whole order.
  const agent = new Agent({ ca: [...rootCertificates, ...(order.caBundle ? [order.caBundle] : [])], keepAlive: true, maxSockets: 1 });
  acme.axios.defaults.httpsAgent = agent;
  // A CA that refuses (a rate limit, a bad request) answers at once; waiting minutes and retrying only
  // hides its answer. Server errors still get two more tries.
  const defaults = acme.axios.defaults as typeof acme.axios.defaults & { acmeSettings: Record<string, number> };
  defaults.acmeSettings = { ...defaults.acmeSettings, retryMaxAttempts: 2, retryDefaultDelay: 1 };
  const client = new acme.Client({
    directoryUrl: order.directory,
    accountKey: pem(order.accountKey),
    // Polling an authorization: from a quarter second up, about half a minute in all.
    backoffAttempts: 12,
    backoffMin: 250,
    backoffMax: 4_000,
  });
  const [, csr] = await acme.crypto.createCsr({ commonName: order.hosts[0]!, altNames: order.hosts }, pem(order.key));
  try {
    await useAccount(client, order.email);
    return await client.auto({
      csr,
      challengePriority: [order.challenge],
      // acme-client would check the response from here first; certform checks its nodes through their admin
      // API, and the CA's own check is the one that counts.
      skipChallengeVerification: true,
      challengeCreateFn: async (authz, challenge, keyAuthorization) => {
        if (challenge.type !== order.challenge) throw new AcmeError(`the CA offers no ${order.challenge} challenge for ${authz.identifier.value} (it offers ${authz.challenges.map((c) => c.type).join(", ")})`);
        const body = await challengeBody(order.challenge, authz, challenge.token, keyAuthorization);
        await publisher.publish(challenge.token, body).catch((err: unknown) => {
          throw new ChallengeNotServed(`the gateway could not serve the ${order.challenge} challenge for ${authz.identifier.value}: ${err instanceof Error ? err.message : String(err)}`);
        });
      },
      challengeRemoveFn: async (_authz, challenge) => publisher.remove(challenge.token),
    });
  } catch (err) {
    if (err instanceof ChallengeNotServed || (err instanceof AcmeError && err.problem)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const problem = lastProblem as AcmeProblem | undefined;
    throw new AcmeError(problem ? `${problem.type}: ${problem.detail ?? message}` : message, problem);
  } finally {
    agent.destroy();
  }
}

/**
 * Finds the account of the key, or registers it. acme-client's own registration turns "this key has an
 * account already" into an update with the registration's fields, which a CA refuses as an empty update
 * when there is no contact to change.
 */
async function useAccount(client: acme.Client, email: string | undefined): Promise<void> {
  const contact = email !== undefined ? { contact: [`mailto:${email}`] } : {};
  try {
    await client.createAccount({ onlyReturnExisting: true });
  } catch {
    lastProblem = undefined;
    await client.createAccount({ termsOfServiceAgreed: true, ...contact });
    return;
  }
  if (email !== undefined) await client.updateAccount(contact);
}

async function challengeBody(type: AcmeOrder["challenge"], authz: acme.Authorization, token: string, keyAuthorization: string): Promise<AcmeChallengeBody> {
  if (type === "http-01") return { type, token, keyAuthorization };
  const [key, certificate] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization, await acme.crypto.createPrivateEcdsaKey());
  return { type, host: authz.identifier.value, certificate: certificate.toString(), key: key.toString() };
}

/** Remembers the last problem document the CA answered with, so that a failure can show its type and detail. */
function captureProblems(): void {
  if (capturing) return;
  capturing = true;
  const note = (data: unknown) => {
    const p = asProblem(data) ?? asProblem((data as { error?: unknown } | undefined)?.error);
    if (p) lastProblem = p;
  };
  acme.axios.interceptors.response.use(
    (res) => {
      note(res.data);
      return res;
    },
    (err: { response?: { data?: unknown } }) => {
      note(err.response?.data);
      return Promise.reject(err);
    },
  );
}

function asProblem(data: unknown): AcmeProblem | undefined {
  if (!data || typeof data !== "object") return undefined;
  const d = data as Record<string, unknown>;
  // acme-client answers a bad nonce itself by asking again: that problem is never the one to report.
  if (typeof d.type !== "string" || !d.type.startsWith("urn:") || d.type.endsWith(":badNonce")) return undefined;
  return { type: d.type, ...(typeof d.detail === "string" ? { detail: d.detail } : {}), ...(typeof d.status === "number" ? { status: d.status } : {}) };
}

const pem = (key: KeyObject): string => key.export({ type: "pkcs8", format: "pem" }).toString();
