/**
 * An error the service means to answer with: a status, a stable UPPER_SNAKE `code`
 * clients can branch on, and a human message. Services throw subclasses; the global
 * exception filter turns them into the contract's error body.
 *
 * @example
 * export class ProductNotFoundError extends DomainError {
 *   constructor(id: number) { super(404, 'PRODUCT_NOT_FOUND', `Product ${id} does not exist`); }
 * }
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class ValidationFailedError extends DomainError {
  constructor(readonly details: FieldProblem[]) {
    super(400, 'VALIDATION_FAILED', 'The request body is invalid');
  }
}

export class BadRequestParameterError extends DomainError {
  constructor(message: string) {
    super(400, 'INVALID_PARAMETER', message);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'A valid bearer token is required') {
    super(401, 'UNAUTHENTICATED', message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Your role may not do this') {
    super(403, 'FORBIDDEN', message);
  }
}

export class TooManyRequestsError extends DomainError {
  constructor(code: string, message: string, retryAfterSeconds: number, headers: Record<string, string> = {}) {
    super(429, code, message, { ...headers, 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
  }
}

export class ServiceUnavailableError extends DomainError {
  constructor(code: string, message: string, retryAfterSeconds = 5) {
    super(503, code, message, { 'Retry-After': String(retryAfterSeconds) });
  }
}
