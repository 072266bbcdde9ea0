export * from "./schema.js";
export * from "./config.js";
export * from "./project.js";
export * from "./metric-names.js";
export { parseDuration, formatDuration } from "./duration.js";
export { formatPath, type ConfigIssue } from "./zod-issues.js";
