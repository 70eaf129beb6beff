/**
 * The one place where error codes become HTTP statuses. A new code in
 * core/errors.ts does not compile until it has a line here.
 */
import { asVirtkitError, type ErrorCode, type VirtkitError } from '../../core/errors.js';

export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_XML: 400,
  XML_UNSUPPORTED: 400,
  XML_INVALID_VALUE: 400,
  XML_INVALID_UNIT: 400,
  XML_DUPLICATE: 400,
  XML_CONFLICT: 400,
  XML_MISSING: 400,
  UNAUTHORIZED: 401,
  DOMAIN_NOT_FOUND: 404,
  POOL_NOT_FOUND: 404,
  VOLUME_NOT_FOUND: 404,
  SECRET_NOT_FOUND: 404,
  INVALID_NAME: 400,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  DOMAIN_EXISTS: 409,
  POOL_EXISTS: 409,
  VOLUME_EXISTS: 409,
  OPERATION_INVALID: 409,
  OPERATION_IN_PROGRESS: 409,
  ADDRESS_CONFLICT: 409,
  QEMU_UNSUPPORTED: 422,
  KVM_UNAVAILABLE: 422,
  HOST_UNSUPPORTED: 422,
  IMAGE_INVALID: 422,
  IMAGE_UNSUPPORTED: 422,
  BACKING_FORMAT_MISSING: 422,
  BACKING_FORMAT_MISMATCH: 422,
  BACKING_CHAIN_LOOP: 422,
  BACKING_CHAIN_TOO_DEEP: 422,
  BACKING_NOT_ALLOWED: 403,
  INTERNAL_ERROR: 500,
  QEMU_FAILED: 500,
  QMP_COMMAND_FAILED: 500,
  QEMU_IMG_FAILED: 500,
  IO_ERROR: 500,
  STORAGE_FAILED: 500,
  NO_SPACE: 507,
  UNSUPPORTED_OPERATION: 501,
  QMP_DISCONNECTED: 502,
  QEMU_NOT_FOUND: 503,
  DAEMON_UNREACHABLE: 503,
  OPERATION_TIMEOUT: 504,
  QMP_TIMEOUT: 504,
};

export function errorResponse(e: unknown): { status: number; body: ReturnType<VirtkitError['toJSON']>; error: VirtkitError } {
  const error = asVirtkitError(e);
  return { status: HTTP_STATUS[error.code], body: error.toJSON(), error };
}
