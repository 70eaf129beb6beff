/**
 * virtkit's version, for the daemon (virtkitd --version, the API's host info, the summary
 * cache key) and the CLI (virtkit version) alike. A constant rather than a read of
 * package.json: core does no I/O, and neither side should fail to know its own version.
 * version.test.ts fails when it differs from package.json's "version".
 */
export const VIRTKIT_VERSION = '0.1.0';
