import { describe, expect, it } from "vitest";
import { expiresIn, renewalReason } from "./renewal.js";

const now = new Date("2026-06-01T12:00:00Z");
const at = (days: number, hours = 0) => new Date(now.getTime() + days * 86_400_000 + hours * 3_600_000);

describe("renewalReason", () => {
  it("is due inside renewBefore, with the days left and the window", () => {
    expect(renewalReason(at(12, 5), "30d", now)).toBe("renewal due: expires in 12 days, renewBefore 30d");
    expect(renewalReason(at(1), "30d", now)).toBe("renewal due: expires in 1 day, renewBefore 30d");
    expect(renewalReason(at(0, 3), "2d", now)).toBe("renewal due: expires within a day, renewBefore 2d");
  });

  it("is due once expired", () => {
    expect(renewalReason(at(-3, -1), "30d", now)).toBe("renewal due: expired 3 days ago, renewBefore 30d");
    expect(renewalReason(at(0, -1), "30d", now)).toBe("renewal due: expired today, renewBefore 30d");
  });

  it("is not due outside the window, compared to the second", () => {
    expect(renewalReason(at(31), "30d", now)).toBeUndefined();
    expect(renewalReason(at(30), "30d", now)).toBeUndefined();
    expect(renewalReason(new Date(at(30).getTime() - 1000), "30d", now)).toBe("renewal due: expires in 29 days, renewBefore 30d");
    // Just generated with validity 2d: not due under renewBefore 47h.
    expect(renewalReason(at(2), "47h", now)).toBeUndefined();
    expect(renewalReason(at(1, 22), "47h", now)).toBe("renewal due: expires in 1 day, renewBefore 47h");
  });

  it("is due at once when forced, and says so", () => {
    expect(renewalReason(at(80), "30d", now, { force: true })).toBe("renewal forced (certform renew): expires in 80 days, renewBefore 30d");
    expect(renewalReason(at(10), "30d", now, { force: true })).toBe("renewal due: expires in 10 days, renewBefore 30d");
  });

  it("words the time left", () => {
    expect(expiresIn(at(200), now)).toBe("expires in 200 days");
  });
});
