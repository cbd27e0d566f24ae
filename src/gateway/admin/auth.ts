import { createHash, timingSafeEqual } from "node:crypto";
import { fail, type Failure } from "../store/index.js";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/**
 * A check of `Authorization: Bearer <token>`; without a token every request passes. Both sides are
 * hashed first so that the comparison takes the same time whatever the length of the guess.
 */
export function bearerCheck(token: string | undefined): (authorization: string | undefined) => Failure | undefined {
  if (token === undefined) return () => undefined;
  const expected = digest(token);
  return (authorization) => {
    const m = /^Bearer[ \t]+(.+?)[ \t]*$/i.exec(authorization ?? "");
    const given = digest(m ? m[1]! : "");
    if (m && timingSafeEqual(given, expected)) return undefined;
    return fail(401, "unauthorized", authorization ? "the bearer token is not valid" : "this node requires Authorization: Bearer <token>", {
      hint: "send the token the node was started with (--token-env)",
    });
  };
}
