import { DomainError } from '../common/errors/domain-error';

export class CsrfTokenInvalidError extends DomainError {
  constructor() {
    super(
      403,
      'CSRF_TOKEN_INVALID',
      'This form has expired or did not come from this shop; reload the page and try again',
    );
  }
}
