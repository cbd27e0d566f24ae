/** The node's store: a durable snapshot and journal of one state, pure mutations on it, and the views the admin API returns. */
export { openStore, STORE_FILE, type CommitListener, type CommitOptions, type CommitResult, type Store, type StoreOptions } from "./file-store.js";
export { loadStore, type LoadedStore } from "./store-files.js";
export { fail, formatField, isFailure, schemaFailure, type ErrorBody, type Failure } from "./failure.js";
export { applyDelete, applyPut, nameProblem, NOUN, preparePut, referrers, type PreparedPut } from "./mutations.js";
export { acquireLock, activeLock, forceReleaseLock, lockedFailure, lockGuard, releaseLock, renewLock } from "./lock.js";
export { certificatesOf, leafOf } from "./material.js";
export { certificateView, endpointView, jwkView, listView, lockView, statusView, trustedView, trustView, viewOf, type View } from "./views.js";
export { deleteRequest, prepareRequest, putRequest, requestList, requestOf, requestView, sealRequest, type PreparedRequest } from "./requests.js";
