import { createConnection } from "node:net";
import { ProviderError } from "../provider.js";
import { socketOf } from "./layout.js";

// HAProxy's runtime API: one command per connection, a text answer, then HAProxy closes. A payload
// (`cmd <<`) ends at the first empty line, so a payload never holds one: blank lines are dropped from PEM
// before it is sent, or what follows would run as commands.

export interface RuntimeClient {
  /** Sends one command (with its payload, if any) and resolves with HAProxy's whole answer. */
  send(node: string, command: string, payload?: string): Promise<string>;
  /**
   * Runs `work` alone on the node: HAProxy has one open certificate transaction at a time, so a set and its
   * commit must not interleave with another's.
   */
  exclusive<T>(node: string, work: () => Promise<T>): Promise<T>;
}

export function createRuntimeClient(timeoutMs: number): RuntimeClient {
  const queues = new Map<string, Promise<unknown>>();
  return {
    send: (node, command, payload) => sendCommand(node, command, payload, timeoutMs),
    exclusive(node, work) {
      const before = queues.get(node) ?? Promise.resolve();
      const run = before.catch(() => undefined).then(work);
      queues.set(node, run.catch(() => undefined));
      return run;
    },
  };
}

/** A PEM payload without empty lines (they would end it early). */
export const payloadOf = (pem: string): string =>
  pem
    .split(/\r?\n/)
    .filter((l) => l.trim() !== "")
    .join("\n");

function sendCommand(node: string, command: string, payload: string | undefined, timeoutMs: number): Promise<string> {
  if (/[\r\n]/.test(command)) throw new Error(`a runtime API command is one line: ${JSON.stringify(command)}`);
  const target = socketOf(node);
  const text = payload === undefined ? `${command}\n` : `${command} <<\n${payloadOf(payload)}\n\n`;
  return new Promise((resolve, reject) => {
    const socket = "path" in target ? createConnection(target.path) : createConnection(target.port, target.host);
    const chunks: Buffer[] = [];
    let settled = false;
    const fail = (code: string, message: string, hint: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new ProviderError(`node ${node}: ${command.split(" ").slice(0, 3).join(" ")}: ${message}`, code, node, undefined, undefined, hint));
    };
    socket.setTimeout(timeoutMs, () => fail("timeout", `no answer within ${timeoutMs} ms`, "check that HAProxy runs and that the socket is its runtime API"));
    socket.on("connect", () => socket.end(text));
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", (err: NodeJS.ErrnoException) =>
      fail("unreachable", `cannot reach the runtime API (${err.code ?? err.message})`, "start HAProxy with the configuration `certform haproxy config` prints (its `stats socket … level admin` is this node)"),
    );
    socket.on("close", () => {
      if (settled) return;
      settled = true;
      const answer = Buffer.concat(chunks).toString("utf8");
      if (/^Permission denied/m.test(answer)) {
        reject(new ProviderError(`node ${node}: the runtime API refused ${command.split(" ")[0]}: permission denied`, "unauthorized", node, undefined, undefined, "the stats socket needs `level admin`"));
      } else resolve(answer);
    });
  });
}
