import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO } from "./support/cli.js";
import { api, startGateway, type GatewayProcess } from "./support/gateway.js";
import { HEADER, writeStackDir } from "./support/stack.js";

// apply and destroy ask on a real terminal: tmux gives certform one (a pseudo-terminal), and the test types
// into it as a user would and reads the screen.

const hasTmux = (() => {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let gateway: GatewayProcess;
let dir: string;
const socket = `certform-confirm-${process.pid}`;
const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });

beforeAll(async () => {
  if (!hasTmux) return;
  gateway = await startGateway({ environment: "dev" });
  dir = writeStackDir({});
  writeFileSync(join(dir, "stack.yaml"), `${HEADER}environments:\n  dev: { gateway: { type: embedded, nodes: ["${gateway.admin}"] } }\nendpoints:\n  billing: { url: "https://billing.internal:9443" }\n`);
}, 60_000);

afterAll(async () => {
  if (!hasTmux) return;
  try {
    tmux("kill-server");
  } catch {
    // no session left
  }
  await gateway.stop();
});

/** Runs certform in a terminal of its own; returns a reader of its screen and a typist. */
function inTerminal(name: string, args: string[]) {
  const command = [process.execPath, join(REPO, "bin", "certform.js"), ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ");
  tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "60", "-e", "NO_COLOR=1", `${command}; echo "[exit $?]"; sleep 60`);
  const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", name);
  return {
    screen,
    async waitFor(text: string | RegExp): Promise<string> {
      const deadline = Date.now() + 60_000;
      for (;;) {
        const s = screen();
        if (typeof text === "string" ? s.includes(text) : text.test(s)) return s;
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(text)}; it shows:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    type(line: string) {
      tmux("send-keys", "-t", name, "-l", line);
      tmux("send-keys", "-t", name, "Enter");
    },
  };
}

const endpoints = async () => (await api<{ items: { name: string }[] }>(gateway.admin, "GET", "/v1/endpoints")).body.items.map((e) => e.name);

describe.skipIf(!hasTmux)("apply and destroy on a terminal ask before they change anything", () => {
  it("apply: anything but 'yes' cancels with nothing changed; 'yes' applies", async () => {
    const first = inTerminal("apply-no", ["apply", dir]);
    await first.waitFor("Only 'yes' will be accepted:");
    expect(first.screen()).toContain("+ endpoints.billing");
    first.type("y");
    const cancelled = await first.waitFor("[exit");
    expect(cancelled).toContain("Apply cancelled. Nothing was changed.");
    // As Terraform: a cancelled apply did not do what was asked.
    expect(cancelled).toContain("[exit 1]");
    expect(await endpoints()).toEqual([]);

    const second = inTerminal("apply-yes", ["apply", dir]);
    await second.waitFor("Only 'yes' will be accepted:");
    second.type("yes");
    const done = await second.waitFor("[exit");
    expect(done).toMatch(/Apply complete! .*1 created/);
    expect(done).toContain("[exit 0]");
    expect(await endpoints()).toEqual(["billing"]);
  }, 120_000);

  it("destroy asks for the stack's name: 'yes' is not enough; the name destroys", async () => {
    const first = inTerminal("destroy-yes", ["destroy", dir]);
    const asked = await first.waitFor("to confirm:");
    expect(asked).toContain("Type the stack's name (payments) to confirm:");
    first.type("yes");
    const cancelled = await first.waitFor("[exit");
    expect(cancelled).toContain("Destroy cancelled. Nothing was changed.");
    expect(cancelled).toContain("[exit 1]");
    expect(await endpoints()).toEqual(["billing"]);

    const second = inTerminal("destroy-name", ["destroy", dir]);
    await second.waitFor("to confirm:");
    second.type("payments");
    const done = await second.waitFor("[exit");
    expect(done).toMatch(/Destroy complete!/);
    expect(done).toContain("[exit 0]");
    expect(await endpoints()).toEqual([]);
  }, 120_000);
});
