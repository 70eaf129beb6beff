/**
 * Domain states, reasons and lifecycle events: pure definitions shared with the
 * API schemas, so they live in core (src/core/api/domain-state.ts).
 */
export * from '../core/api/domain-state.js';
