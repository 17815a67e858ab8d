import { DomainError } from '../common/errors/domain-error';

export class OrderNotFoundError extends DomainError {
  constructor(id: number | string) {
    super(404, 'ORDER_NOT_FOUND', `Order ${id} does not exist`);
  }
}
