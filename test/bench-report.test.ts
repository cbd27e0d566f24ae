// docs/performance.md is written by hand except between the bench markers: a run regenerates only that.
import { describe, expect, it } from "vitest";
import { END, START, updatePerformanceDoc } from "../bench/report.js";

describe("updatePerformanceDoc", () => {
  it("creates the document with an intro and the section when there is none", () => {
    const doc = updatePerformanceDoc(null, "## Latest run\n\ntable");
    expect(doc).toMatch(/^# Performance\n/);
    expect(doc).toContain(`${START}\n## Latest run\n\ntable\n${END}\n`);
  });

  it("replaces only the text between the markers, keeping every other section", () => {
    const before = ["# Performance", "", "Intro by hand.", "", START, "old table", END, "", "## Handshakes", "", "What was slow and what fixed it.", ""].join("\n");
    const doc = updatePerformanceDoc(before, "new table");
    expect(doc).toBe(["# Performance", "", "Intro by hand.", "", START, "new table", END, "", "## Handshakes", "", "What was slow and what fixed it.", ""].join("\n"));
    expect(updatePerformanceDoc(doc, "new table")).toBe(doc);
  });

  it("appends the section to a document that has no markers yet", () => {
    const doc = updatePerformanceDoc("# Performance\n\n## Handshakes\n\ntext\n", "table");
    expect(doc).toBe(`# Performance\n\n## Handshakes\n\ntext\n\n${START}\ntable\n${END}\n`);
  });
});
