/**
 * The PromQL front end: parse PromQL text to a typed tree (rejecting what Prometheus rejects,
 * with positions), print it back in Prometheus's canonical form, and the tree helpers the query
 * rewriter, rule compiler and engine need.
 */
export type * from './ast.js';
export { AGGREGATORS } from './ast.js';
export { PromQLError } from './errors.js';
export { parse, parseSyntax } from './parser.js';
export { check, typeOf } from './checker.js';
export { print, printDuration, type PrintOptions } from './printer.js';
export { pretty } from './pretty.js';
export { FUNCTIONS, getFunction, type FunctionSignature } from './functions.js';
export { exprEqual } from './equality.js';
export { allMatchers, children, selectors, transform, walk } from './walk.js';
export { mayCarry, resultLabels, type LabelSet } from './labels.js';
export {
  durationMs, requirements, type RequirementOptions, type Requirements, type SelectorRequirement,
} from './requirements.js';
export { promqlFmt, type FmtIO } from './fmt-command.js';
