/**
 * The one catalogue of Vigil's errors (after fastify's `lib/errors.js`): every error a user can meet is
 * declared here once, with a stable code, the HTTP status the service answers with and the exit code the
 * CLI ends with. Code elsewhere throws `new VigilError('CODE', message, details?)`, never a bare Error.
 */

export const ERROR_CATALOGUE = {
  // Input that does not have the required form (caller's fault).
  INVALID_INPUT: { status: 400, exit: 2, summary: 'the input is not valid' },
  INVALID_JSON: { status: 400, exit: 2, summary: 'the input is not valid JSON' },
  NOT_CANONICAL: { status: 400, exit: 2, summary: 'the JSON is not in RFC 8785 canonical form' },
  INVALID_BASE64: { status: 400, exit: 2, summary: 'not canonical standard base64' },
  INVALID_CHECKPOINT: { status: 400, exit: 2, summary: 'the checkpoint text is malformed' },
  INVALID_NOTE: { status: 400, exit: 2, summary: 'the signed note is malformed' },
  INVALID_VERIFIER_KEY: { status: 400, exit: 2, summary: 'the verifier key string is malformed' },
  INVALID_PROOF_REQUEST: { status: 400, exit: 2, summary: 'the proof request is out of range' },
  PAYLOAD_TOO_LARGE: { status: 413, exit: 2, summary: 'the payload is larger than allowed' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, exit: 2, summary: 'the request body has a media type this route does not take' },
  NOT_FOUND: { status: 404, exit: 2, summary: 'no such thing' },
  PAYLOAD_ERASED: { status: 410, exit: 2, summary: 'the payload was erased' },
  // The service itself.
  INTERNAL: { status: 500, exit: 1, summary: 'an internal error; nothing was recorded or released' },
  NOT_READY: { status: 503, exit: 3, summary: 'the service is not ready' },
  // Access to the service.
  UNAUTHENTICATED: { status: 401, exit: 2, summary: 'no valid bearer token' },
  TOKEN_EXPIRED: { status: 401, exit: 2, summary: 'the token has expired' },
  TOKEN_REVOKED: { status: 401, exit: 2, summary: 'the token was revoked' },
  FORBIDDEN: { status: 403, exit: 2, summary: 'the token does not allow this' },
  // Configuration and local files.
  CONFIG_INVALID: { status: 500, exit: 2, summary: 'the configuration is not valid' },
  KEY_MISSING: { status: 500, exit: 2, summary: 'no signing key in the data directory' },
  KEY_EXISTS: { status: 409, exit: 2, summary: 'a signing key already exists' },
  KEY_INVALID: { status: 500, exit: 2, summary: 'the signing key file is not valid' },
  IO_ERROR: { status: 500, exit: 2, summary: 'a file could not be read or written' },
  // Ledger state.
  LEDGER_BUSY: { status: 503, exit: 3, summary: 'the append queue is full; retry later' },
  LEDGER_CLOSED: { status: 503, exit: 3, summary: 'the ledger is closed' },
  LEDGER_LOCKED: { status: 503, exit: 3, summary: 'another process has the ledger open for writing' },
  LEDGER_COMMIT_FAILED: { status: 503, exit: 3, summary: 'the ledger could not commit; nothing was recorded' },
  LEDGER_INCONSISTENT: { status: 503, exit: 3, summary: 'the stored tree does not match the latest checkpoint' },
  LEDGER_APPEND_ONLY: { status: 500, exit: 3, summary: 'ledger rows can be neither updated nor deleted' },
  ERASURE_INVALID: { status: 400, exit: 2, summary: 'the erasure request is not valid' },
  // DLP configuration.
  RULES_INVALID: { status: 500, exit: 2, summary: 'a rule pack is not valid' },
  POLICY_INVALID: { status: 500, exit: 2, summary: 'the DLP policy is not valid' },
  DLP_TIMEOUT: { status: 503, exit: 3, summary: 'the DLP scan exceeded its time budget; nothing was released' },
  DLP_FAILED: { status: 503, exit: 3, summary: 'the DLP scan failed; nothing was released' },
  // Verification against a remote service (vigil verify --url) and features still to come.
  SERVICE_UNREACHABLE: { status: 502, exit: 2, summary: 'the service could not be reached' },
  SERVICE_ERROR: { status: 502, exit: 2, summary: 'the service answered with an error or an unexpected response' },
  NOT_AVAILABLE: { status: 501, exit: 2, summary: 'not available yet' },
} as const;

export type VigilErrorCode = keyof typeof ERROR_CATALOGUE;

/** Where in the input the problem is: a field path, a line, an entry index. */
export interface ErrorDetails {
  path?: string;
  line?: number;
  index?: number;
  [key: string]: string | number | boolean | undefined;
}

export class VigilError extends Error {
  readonly code: VigilErrorCode;
  readonly details: ErrorDetails | undefined;

  constructor(code: VigilErrorCode, message: string, details?: ErrorDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VigilError';
    this.code = code;
    this.details = details;
  }

  get httpStatus(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exit;
  }
}

export function isVigilError(e: unknown, code?: VigilErrorCode): e is VigilError {
  return e instanceof VigilError && (code === undefined || e.code === code);
}
