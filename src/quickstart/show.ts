import { request } from "node:https";
import { connect, type PeerCertificate } from "node:tls";
import type { Palette } from "../render/palette.js";
import { apiHost, LOOPBACK, NODES, ORDERS_PATH, shopHost, type QuickstartNode } from "./layout.js";

const TIMEOUT_MS = 5_000;
/** Width of the first column. */
const W = 26;

export interface ShowContext {
  caPem: string;
  /** The material directory as the user should type it. */
  dir: string;
  c: Palette;
  say(text: string): void;
}

/**
 * A few handshakes and requests against every node, as a client would make them: which certificate each
 * host serves, a request through the gateway to the backend, the published JWKs. Returns how many failed.
 */
export async function showItWorking(ctx: ShowContext): Promise<number> {
  const { c, say } = ctx;
  let failed = 0;
  const line = (node: QuickstartNode, ok: boolean, text: string) => {
    if (!ok) failed++;
    say(`  ${ok ? c.green("✓") : c.red("✗")} ${node.name.padEnd(6)} ${text}\n`);
  };
  say(`\n${c.bold("What the gateways serve now")}, seen by a client on ${LOOPBACK}:\n`);
  for (const node of NODES) {
    const api = apiHost(node);
    const shop = shopHost(node);
    const port = node.listenPort;
    try {
      const served = await handshake(port, api, ctx.caPem);
      const trust = served.authorized ? "trusted with ca.pem" : c.red(served.error);
      line(node, served.authorized, `${api.padEnd(W)} ${subject(served.cert)}, issued by ${served.cert.issuer?.CN ?? "?"} (${trust})  ${c.dim(short(served.cert))}`);
      const wildcard = await handshake(port, shop);
      line(node, wildcard.cert.subject?.CN === `*.${node.domain}`, `${shop.padEnd(W)} ${subject(wildcard.cert)}, self-signed, generated at apply time for ${node.environment}  ${c.dim(short(wildcard.cert))}`);
      const res = await get(port, api, `${ORDERS_PATH}/42`, ctx.caPem);
      line(node, res.status === 200, `${`GET ${ORDERS_PATH}/42`.padEnd(W)} ${res.status} ${clip(res.body)}`);
      if (node.name !== "prod-2") {
        const jwks = await get(port, api, "/.well-known/jwks.json", ctx.caPem);
        const keys = jwksSummary(jwks.body);
        line(node, jwks.status === 200 && keys !== undefined, `${"GET /.well-known/jwks.json".padEnd(W)} ${jwks.status} ${keys ?? clip(jwks.body)}`);
      }
    } catch (err) {
      line(node, false, `${LOOPBACK}:${port}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failed === 0) {
    say(`  ${c.dim(`${ORDERS_PATH} reaches a backend whose certificate is self-signed: the gateways trust it because of`)}\n`);
    say(`  ${c.dim(`trustAssignments.orders-backend (take it out of the stack and apply: 502 backend-untrusted).`)}\n`);
    say(`  ${c.dim("The JWK is jwks.api-signing, derived from certificates.api.")}\n`);
  }
  return failed;
}

/** The commands printed by `npm start -- --serve`. */
export function tryCommands(dir: string, envPrefix: string): string {
  const prod = NODES.find((n) => n.name === "prod-1")!;
  const dev = NODES.find((n) => n.name === "dev-1")!;
  const api = apiHost(prod);
  const resolve = `--resolve ${api}:${prod.listenPort}:${LOOPBACK}`;
  return [
    `curl --cacert ${dir}/ca.pem ${resolve} https://${api}:${prod.listenPort}${ORDERS_PATH}/42`,
    `curl --cacert ${dir}/ca.pem ${resolve} https://${api}:${prod.listenPort}/.well-known/jwks.json`,
    `openssl s_client -connect ${LOOPBACK}:${prod.listenPort} -servername ${api} -CAfile ${dir}/ca.pem -brief </dev/null`,
    `openssl s_client -connect ${LOOPBACK}:${dev.listenPort} -servername ${shopHost(dev)} -brief </dev/null`,
    `curl http://${LOOPBACK}:${prod.adminPort}/v1/status`,
    `${envPrefix}npx certform plan    # after editing stacks/quickstart.yaml`,
    `${envPrefix}npx certform apply`,
  ]
    .map((l) => `  ${l}\n`)
    .join("");
}

function clip(text: string): string {
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

function subject(cert: PeerCertificate): string {
  return `CN=${cert.subject?.CN ?? "?"}`;
}

function short(cert: PeerCertificate): string {
  return `SHA-256 ${(cert.fingerprint256 ?? "").split(":").slice(0, 4).join(":")}…`;
}

function jwksSummary(body: string): string | undefined {
  try {
    const keys = (JSON.parse(body) as { keys?: { kid?: string; kty?: string; crv?: string; alg?: string }[] }).keys;
    if (!Array.isArray(keys) || keys.length === 0) return undefined;
    return keys.map((k) => `kid ${k.kid ?? "?"} (${[k.kty, k.crv, k.alg].filter(Boolean).join(" ")})`).join(", ");
  } catch {
    return undefined;
  }
}

function handshake(port: number, servername: string, ca?: string): Promise<{ cert: PeerCertificate; authorized: boolean; error: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port, servername, rejectUnauthorized: false, ...(ca ? { ca } : {}) }, () => {
      const cert = socket.getPeerCertificate();
      const result = { cert, authorized: socket.authorized, error: (socket.authorizationError as Error | undefined)?.message ?? "" };
      socket.end();
      resolve(result);
    });
    socket.once("error", (err) => reject(new Error(`TLS handshake for ${servername} failed: ${err.message}`)));
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error("timed out")));
  });
}

function get(port: number, servername: string, path: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LOOPBACK, port, servername, path, ca, agent: false, headers: { host: `${servername}:${port}` }, timeout: TIMEOUT_MS }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once("timeout", () => req.destroy(new Error("timed out")));
    req.once("error", (err) => reject(new Error(`GET ${path} on ${servername} failed: ${err.message}`)));
    req.end();
  });
}
