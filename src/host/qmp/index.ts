/** The QMP connection over a UNIX socket. */
export { connectQmp, openQmp, QmpConnection } from './connection.js';
export type { ExecuteOptions, QmpConnectOptions, QmpDisconnect } from './connection.js';
export { connectUnixSocket } from './socket.js';
export type { ConnectSocketOptions } from './socket.js';
