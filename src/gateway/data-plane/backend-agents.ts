import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { createSecureContext, rootCertificates } from "node:tls";
import type { CaSet } from "./truststores.js";

export interface BackendAgents {
  /** The agent for an https endpoint; a new one whenever the endpoint's trust changes. */
  https(endpoint: string, trust: CaSet): HttpsAgent;
  http: HttpAgent;
  /** After an apply: agents of trust sets no longer current close their idle connections. */
  retain(current: Map<string, CaSet>): void;
  destroy(): void;
}

// Idle backend connections are closed after this; it also ends a retired agent's last connections.
const IDLE_MS = 15_000;

export function backendAgents(opts: { systemCas: boolean }): BackendAgents {
  const agents = new Map<string, HttpsAgent>();
  const keyOf = (endpoint: string, trust: CaSet) => `${endpoint}\n${trust.key}`;
  const http = new HttpAgent({ keepAlive: true, timeout: IDLE_MS });

  return {
    http,
    https(endpoint, trust) {
      const key = keyOf(endpoint, trust);
      let agent = agents.get(key);
      if (!agent) {
        // One context per agent, so connections do not parse the CA list again each time. An
        // explicit list, even empty, keeps Node's bundled roots out unless asked for.
        const ca = [...(opts.systemCas ? rootCertificates : []), ...trust.cas.map((c) => c.pem)];
        agent = new HttpsAgent({ keepAlive: true, timeout: IDLE_MS, secureContext: createSecureContext({ ca }) });
        agents.set(key, agent);
      }
      return agent;
    },
    retain(current) {
      const keep = new Set([...current].map(([endpoint, trust]) => keyOf(endpoint, trust)));
      for (const [key, agent] of agents) {
        if (keep.has(key)) continue;
        agents.delete(key);
        // Its kept-alive connections were verified under the old trust. No request is given to this
        // agent again, so those still busy finish their request and then idle out after IDLE_MS.
        for (const sockets of Object.values(agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
      }
    },
    destroy() {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
      http.destroy();
    },
  };
}
