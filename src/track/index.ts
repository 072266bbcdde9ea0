/** The tracking store, model registry and artifact stores: the public surface. */
export { openStore, redactUrl, type OpenStoreOptions } from "./open.js";
export { openArtifactStore, LocalArtifactStore, checkArtifactPath } from "./artifacts.js";
export { parseModelUri, formatModelUri } from "./uri.js";
export { parseFilter, parseOrderKey, type Clause, type OrderKey } from "./filter.js";
export { SCHEMA_VERSION } from "./migrations.js";
export * from "./types.js";
