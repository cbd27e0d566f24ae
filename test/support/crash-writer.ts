// Run as a child process by test/store-crash.test.ts, then killed with SIGKILL mid-stream: commits
// endpoints e0, e1, … one after another and prints "acked <revision>" once each is durable. A second
// argument sets the journal size that starts a compaction (small: compactions all the time).
import { openStore } from "../../src/gateway/store/file-store.js";
import { withObject } from "../../src/gateway/store/records.js";

const compactAfterBytes = process.argv[3] ? Number(process.argv[3]) : undefined;
const store = await openStore(process.argv[2]!, { node: "crash", environment: "test" }, compactAfterBytes ? { compactAfterBytes } : {});
for (let i = 0; ; i++) {
  const name = `e${i}`;
  const r = await store.commit((s) => withObject(s, "endpoints", name, { name, url: `http://127.0.0.1:${1000 + (i % 60000)}`, path: `/${name}`, labels: { pad: "x".repeat(i % 500) }, updatedRevision: s.revision + 1 }));
  if (r.ok) process.stdout.write(`acked ${r.state.revision}\n`);
}
