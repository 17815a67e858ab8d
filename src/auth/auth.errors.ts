import { DomainError } from '../common/errors/domain-error';

export class EmailTakenError extends DomainError {
  constructor() {
    super(409, 'EMAIL_TAKEN', 'An account with this email already exists');
  }
}

export class InvalidCredentialsError extends DomainError {
  constructor() {
    super(401, 'INVALID_CREDENTIALS', 'The email or password is wrong');
  }
}

export class UserNotFoundError extends DomainError {
  constructor() {
    super(401, 'UNAUTHENTICATED', 'The account behind this token no longer exists');
  }
}
