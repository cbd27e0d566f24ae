import { existsSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { Palette } from "../render/palette.js";
import { BACKEND_PORT, DEFAULT_DIR, DIR_ENV, LOOPBACK, NODES, STACK_FILE } from "./layout.js";
import { releaseLeftLocks } from "./locks.js";
import { ensureMaterial } from "./material.js";
import { assertPortsFree, Processes, QuickstartError } from "./processes.js";
import { showItWorking, tryCommands } from "./show.js";

export interface QuickstartOptions {
  /** Keep everything running until Ctrl-C. */
  serve: boolean;
  c: Palette;
  /** `certform apply --auto-approve` of the stack file, with its output; true when it applied and verified. */
  apply(stackFile: string): Promise<boolean>;
}

type Phase = "starting" | "applying" | "running" | "serving" | "done";

/**
 * `npm start`: key material, three embedded gateway nodes and a backend on loopback, apply with verification,
 * a look at what is served, then everything it started is stopped again (at once, or on Ctrl-C with --serve).
 * True when everything worked.
 */
export async function runQuickstart(opts: QuickstartOptions): Promise<boolean> {
  const { c } = opts;
  const say = (s: string) => void process.stdout.write(s);
  if (!existsSync(STACK_FILE)) {
    say(`${c.red("error")} ${STACK_FILE} is not in ${process.cwd()}\n  ${c.dim("hint:")} run npm start in the certform repository\n`);
    return false;
  }
  // The stack reads its material through ${env:CERTFORM_QUICKSTART_DIR}: give it the absolute directory.
  const custom = Boolean(process.env[DIR_ENV]);
  const dir = resolve(process.env[DIR_ENV] || DEFAULT_DIR);
  process.env[DIR_ENV] = dir;
  const shown = display(dir);
  const firstRun = !existsSync(join(dir, "nodes"));

  const procs = new Processes();
  let phase: Phase = "starting";
  let interrupted = false;
  let endServe: (() => void) | undefined;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    // While applying, apply's own handler releases the gateways' locks and exits; onExit then stops the nodes.
    if (phase === "applying") return;
    if (phase === "serving") return endServe?.();
    say("\nInterrupted: stopping what the quickstart started.\n");
    void procs.stopAll().finally(() => {
      say("Stopped.\n");
      process.exit(130);
    });
  };
  const onExit = () => {
    if (procs.running() > 0) process.stdout.write("Stopping the gateway nodes.\n");
    procs.killNow("SIGTERM");
  };
  // `npm start | head`: once the reader is gone, carry on quietly and still stop everything. (Left in
  // place: a write's EPIPE is reported after the write returns, possibly after this command has ended.)
  const onStdoutError = () => undefined;
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, onSignal);
  process.on("exit", onExit);
  process.stdout.on("error", onStdoutError);

  try {
    say(`${c.bold("certform quickstart")}: ${STACK_FILE} on embedded gateways: dev (${names("dev")}) and prod (${names("prod")}).\n\n`);

    await assertPortsFree([
      ...NODES.flatMap((n) => [
        { port: n.adminPort, what: `admin API of ${n.name}` },
        { port: n.listenPort, what: `TLS listener of ${n.name}` },
      ]),
      { port: BACKEND_PORT, what: "the orders backend" },
    ]);
    const material = await ensureMaterial(dir);
    if (material.created.length > 0) say(`Created in ${shown}/ (keys 0600, never committed):\n${material.created.map((l) => `  ${l}\n`).join("")}`);
    else say(`Reusing the local CA, the api and the backend certificates in ${shown}/.\n`);

    await Promise.all([procs.startBackend(BACKEND_PORT, material.backend), ...NODES.map((n) => procs.startNode(n, join(dir, "nodes", n.name)))]);
    if (interrupted) return false;
    say(`Started:\n`);
    for (const n of NODES) say(`  ${n.name.padEnd(7)} ${n.environment.padEnd(5)} admin http://${LOOPBACK}:${n.adminPort}  TLS ${LOOPBACK}:${n.listenPort}  ${c.dim(`store ${shown}/nodes/${n.name}`)}\n`);
    say(`  backend ${"".padEnd(5)} https://${LOOPBACK}:${BACKEND_PORT} (the orders service, with a self-signed certificate)\n`);
    for (const l of await releaseLeftLocks(NODES)) say(`${c.yellow("note")} ${l}\n`);

    say(`\n${c.dim(`$ certform apply --auto-approve ${STACK_FILE}`)}\n`);
    phase = "applying";
    const applied = await opts.apply(STACK_FILE);
    phase = "running";
    if (interrupted) return await stop(procs, say, false);
    if (!applied) {
      say(`\n${c.red("error")} the quickstart stack could not be applied (see above).\n`);
      return await stop(procs, say, false);
    }

    const failed = await showItWorking({ caPem: material.caPem, dir: shown, c, say });
    if (interrupted) return await stop(procs, say, false);
    if (failed > 0) {
      say(`\n${c.red("error")} ${failed} check${failed === 1 ? "" : "s"} above failed.\n`);
      return await stop(procs, say, false);
    }

    if (opts.serve) {
      const prefix = custom ? `${DIR_ENV}=${dir} ` : "";
      say(`\n${c.bold("Everything keeps running until Ctrl-C.")} Try:\n${tryCommands(shown, prefix)}`);
      phase = "serving";
      if (!interrupted) await new Promise<void>((done) => (endServe = done));
      say("\n");
      return await stop(procs, say, true);
    }
    await stop(procs, say, true);
    if (firstRun) say(`Run npm start again: the nodes start from their stores and the plan shows no changes.\n`);
    say(`${c.dim("npm start -- --serve keeps everything running, with commands to try.")}\n`);
    return true;
  } catch (err) {
    // After a Ctrl-C, what fails is what was stopped: onSignal has already said so.
    if (!interrupted) reportError(err, c, say);
    return await stop(procs, say, false);
  } finally {
    phase = "done";
    for (const s of signals) process.off(s, onSignal);
    process.off("exit", onExit);
  }
}

async function stop(procs: Processes, say: (s: string) => void, ok: boolean): Promise<boolean> {
  const n = procs.running();
  await procs.stopAll();
  if (n > 0) say(`\nStopped the gateway nodes and the backend that the quickstart started.\n`);
  return ok;
}

function reportError(err: unknown, c: Palette, say: (s: string) => void): void {
  const message = err instanceof Error ? err.message : String(err);
  say(`\n${c.red("error")} ${message}\n`);
  if (err instanceof QuickstartError && err.hint) say(`  ${c.dim("hint:")} ${err.hint}\n`);
}

function names(environment: string): string {
  return NODES.filter((n) => n.environment === environment)
    .map((n) => n.name)
    .join(", ");
}

/** The directory as the user would type it: relative to the working directory when inside it. */
function display(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : dir;
}
