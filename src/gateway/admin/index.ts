/** The embedded gateway's admin API (v1): a node:http request listener over the node's store. */
export { createAdminHandler, type AdminOptions } from "./handler.js";
export { DEFAULT_MAX_BODY_BYTES } from "./http-io.js";
export { LOCK_HOLDER_HEADER } from "./preconditions.js";
export { managementCas, probe } from "./probe.js";
