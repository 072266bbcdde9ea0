/**
 * Typed-array kernels of the tree learners: pure functions over typed arrays, with their
 * inputs and outputs marked IN / OUT, and no allocation in their loops.
 */
export * from "./bin.js";
export * from "./histogram.js";
export * from "./loss.js";
export * from "./partition.js";
export * from "./rowbins.js";
export * from "./split.js";
