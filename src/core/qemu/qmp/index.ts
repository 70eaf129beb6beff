/** The pure QMP protocol: messages, framing, typed commands and events, errors. */
export * from './messages.js';
export * from './codec.js';
export type * from './command-types.js';
export type * from './commands.js';
export * from './events.js';
export * from './errors.js';
