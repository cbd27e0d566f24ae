import type { IncomingMessage, ServerResponse } from "node:http";
import type { TransferKey } from "../seal.js";
import type { Store } from "../store/index.js";

/** What every route handler gets: one request, its answer, and the node's store. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  store: Store;
  now: Date;
  maxBodyBytes: number;
  /** The node's data plane URL, shown in /v1/status. */
  listenUrl?: string;
  /** The node's transfer key: sealed copies of pending requests are sealed to it. */
  transferKey: TransferKey;
}
