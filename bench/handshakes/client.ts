// One load-generating process for bench/handshakes.ts, forked so that the server under test never shares
// a process (or an event loop) with its client. It waits for orders over IPC and answers each with what
// it measured; it makes full TLS 1.3 handshakes only (no session is ever offered back to the server).
import { connect } from "node:tls";

export interface LoadOrder {
  port: number;
  servername: string;
  /** How long to keep handshaking. */
  ms: number;
  /** Connections in flight at once. */
  concurrency: number;
}

export interface LoadResult {
  /** Handshakes the server completed (the client saw its Finished, sent its own, and the server then closed). */
  completed: number;
  failed: number;
  firstError?: string;
  /** From connect() to the client's 'secureConnect', per completed handshake. */
  latenciesMs: number[];
  /** Wall time from the first connect to the last close. */
  wallMs: number;
  /** This client process's CPU time over the run, for judging whether the client was the bottleneck. */
  cpuMs: number;
}

function one(order: LoadOrder): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let latency = -1;
    const socket = connect({ host: "127.0.0.1", port: order.port, servername: order.servername, rejectUnauthorized: false, minVersion: "TLSv1.3" }, () => {
      latency = Number(process.hrtime.bigint() - start) / 1e6;
      // Ending (rather than destroying) sends the client's Finished and close_notify and waits for the
      // server to close: a handshake counts only once the server has read the Finished. Reading is
      // what lets the server's close (and its session tickets) be seen.
      socket.end();
      socket.resume();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error("no handshake and close within 10 s")));
    socket.on("error", reject);
    socket.on("close", () => (latency >= 0 ? resolve(latency) : reject(new Error("closed before the handshake completed"))));
  });
}

async function run(order: LoadOrder): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + order.ms;
  await Promise.all(
    Array.from({ length: order.concurrency }, async () => {
      while (performance.now() < deadline) {
        try {
          latenciesMs.push(await one(order));
        } catch (err) {
          failed++;
          firstError ??= (err as Error).message;
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { completed: latenciesMs.length, failed, ...(firstError ? { firstError } : {}), latenciesMs, wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

process.on("message", (order: LoadOrder) => {
  void run(order).then((result) => process.send!(result));
});
process.on("disconnect", () => process.exit(0));
// Orders sent before this process listens would be lost: the parent waits for this.
process.send!("ready");
