/** Error codes and their HTTP statuses, in one place. */
export const ERROR_STATUS = {
  E_BAD_REQUEST: 400,
  E_VALIDATION: 400,
  E_AUTH: 401,
  E_FORBIDDEN: 403,
  E_PASSWORD_CHANGE: 403,
  E_NOT_FOUND: 404,
  E_ILLEGAL_TRANSITION: 409,
  E_CONFLICT: 409,
  E_TOO_LARGE: 413,
  E_UNSUPPORTED_MEDIA: 415,
  E_RATE_LIMITED: 429,
  E_STORAGE: 503,
  E_INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class HubError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
