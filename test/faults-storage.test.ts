import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certform, REPO } from "./support/cli.js";
import { lockOf } from "./support/faults.js";
import { api, handshake } from "./support/gateway.js";
import { issue, makeCa, toPem, type Issued } from "./support/pki.js";
import { readyLine } from "./support/ready-line.js";
import { writeStackDir } from "./support/stack.js";

// A node whose disk is full, or whose store directory turned read-only: the write is refused with a clear error
// through apply, the node keeps serving its last state (a TLS handshake still shows the old certificate), and an
// apply converges once the disk is writable again.
//
// Tests run as root, and chmod does not stop root: the node's --data directory is a real tmpfs instead, small
// enough to fill, and remounted read-only, in a mount namespace of the node's own (unshare -m), so that nothing
// outside the test sees the mount and it goes away with the node. The test reaches into that namespace with
// nsenter. Where mounts are not allowed (no CAP_SYS_ADMIN), the tests are skipped, saying why.

const probeDir = mkdtempSync(join(tmpdir(), "certform-mount-probe-"));
const probe = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", 'mount -t tmpfs -o size=64k probe "$0"', probeDir], { encoding: "utf8" });
const canMount = probe.status === 0;
if (!canMount) console.warn(`skipping the disk-full and read-only tests: cannot mount a tmpfs in a private mount namespace here (${(probe.stderr || probe.error?.message || "").trim()})`);

let node: { admin: string; port: number; child: ChildProcess; output: string[]; mount: string } | undefined;
let ca: Issued;
let versions: Issued[];
let dir: string;

/** A command inside the node's mount namespace, where $1 is the tmpfs. */
function inNamespace(script: string): { status: number | null; stderr: string } {
  const r = spawnSync("nsenter", ["-t", String(node!.child.pid), "-m", "--", "sh", "-c", script, "sh", node!.mount], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

function declare(v: number): void {
  writeFileSync(join(dir, "api.pem"), toPem([versions[v]!.certificate, ca.certificate]));
  writeFileSync(join(dir, "api.key"), versions[v]!.keyPem);
}

const served = async () => (await handshake(node!.port, "api.example.com")).fingerprint256;
const status = async () => (await api(node!.admin, "GET", "/v1/status")).body;

/** Once the disk takes writes again: a lock the failed apply could not release is released, and apply converges. */
async function recover(v: number): Promise<void> {
  if (await lockOf(node!.admin)) expect((await certform(["force-unlock", "dev", dir])).code).toBe(0);
  const r = await certform(["apply", dir, "--auto-approve"]);
  expect(r.code, r.stdout.slice(-1500) + r.stderr).toBe(0);
  expect(await served()).toBe(versions[v]!.certificate.fingerprint256);
}

/** Apply of version `v` is refused with `cause`, and the node serves and stores what it did before. */
async function expectRefused(v: number, cause: RegExp): Promise<void> {
  const before = await status();
  const old = await served();
  declare(v);
  const r = await certform(["apply", dir, "--auto-approve"]);
  expect(r.code).toBe(1);
  const said = r.stdout + r.stderr;
  expect(said).toContain(`dev: node ${node!.admin}: `);
  expect(said).toMatch(/the node could not write its store in \S+: /);
  expect(said).toMatch(cause);
  expect(said).toContain("the change was refused and the node keeps serving its last state");
  expect(await served()).toBe(old);
  const after = await status();
  expect(after.revision).toBe(before.revision);
  expect(after.certificates.map((c: { fingerprint256: string }) => c.fingerprint256)).toEqual(before.certificates.map((c: { fingerprint256: string }) => c.fingerprint256));
}

beforeAll(async () => {
  if (!canMount) return;
  ca = await makeCa();
  versions = await Promise.all([0, 1, 2].map(() => issue({ issuer: ca, hosts: ["api.example.com"] })));
  const mount = mkdtempSync(join(tmpdir(), "certform-tmpfs-"));
  // 1 MiB: a few certificates' store, and little enough to fill at once.
  const script = 'mount -t tmpfs -o size=1m certform-faults "$1" && exec "$0" "$2" gateway start --data "$1/store" --admin 127.0.0.1:0 --listen 127.0.0.1:0 --environment dev --node dev-1';
  const child = spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c", script, process.execPath, mount, join(REPO, "bin", "certform.js")], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const ready = await readyLine(child, /^certform gateway ready admin=(\S+) listen=(\S+)$/, output, "gateway in its own mount namespace");
  node = { admin: ready[1]!, port: Number(new URL(ready[2]!).port), child, output, mount };
  dir = writeStackDir({
    "ca.pem": ca.pem,
    "stack.yaml": `apiVersion: certform/v1\nkind: Stack\nname: storage\nenvironments:\n  dev: { gateway: { type: embedded, nodes: ["${node.admin}"] } }\ncertificates:\n  api: { certificate: { file: api.pem }, key: { file: api.key } }\n`,
  });
  declare(0);
  const first = await certform(["apply", dir, "--auto-approve"]);
  expect(first.code, first.stdout + first.stderr).toBe(0);
});
afterAll(async () => {
  if (!node) return;
  const exited = new Promise((resolve) => node!.child.once("exit", resolve));
  node.child.kill("SIGTERM");
  await exited;
});

describe.skipIf(!canMount)("a node that cannot write its store", () => {
  it("disk full: the write is refused with the cause through apply, the old certificate is still served, and apply converges once there is space", async () => {
    expect(await served()).toBe(versions[0]!.certificate.fingerprint256);
    // Fills the tmpfs to the last block (head fails with ENOSPC, as it should).
    inNamespace('head -c 4M /dev/zero > "$1/filler"');
    expect(inNamespace('df -k "$1" | tail -1').status).toBe(0);
    await expectRefused(1, /no space left on device \(ENOSPC\)/);
    expect(inNamespace('rm "$1/filler"').status).toBe(0);
    await recover(1);
  });

  it("read-only: the write is refused with the cause through apply, the old certificate is still served, and apply converges once it is writable", async () => {
    expect(inNamespace('mount -o remount,ro "$1"').status).toBe(0);
    await expectRefused(2, /the file system is read-only \(EROFS\)/);
    expect(inNamespace('mount -o remount,rw "$1"').status).toBe(0);
    await recover(2);
    expect(node!.output.join("\n")).not.toMatch(/internal error/);
  });
});
