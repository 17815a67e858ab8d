import { DomainError } from '../common/errors/domain-error';

export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'completed' | 'cancelled';
export const ORDER_STATUSES: OrderStatus[] = ['pending', 'paid', 'shipped', 'completed', 'cancelled'];

export type OrderAction = 'pay' | 'ship' | 'complete' | 'cancel';
export type OrderEventType = 'OrderCreated' | 'OrderPaid' | 'OrderShipped' | 'OrderCompleted' | 'OrderCancelled';
export type CancelReason = 'customer' | 'payment_timeout' | 'payment_failed' | 'admin';

/**
 * The order lifecycle as data: `pending → paid → shipped → completed`, and
 * `pending → cancelled`. Every route, webhook and job moves orders through this table.
 */
export const TRANSITIONS: Record<OrderAction, { from: OrderStatus; to: OrderStatus; event: OrderEventType }> = {
  pay: { from: 'pending', to: 'paid', event: 'OrderPaid' },
  ship: { from: 'paid', to: 'shipped', event: 'OrderShipped' },
  complete: { from: 'shipped', to: 'completed', event: 'OrderCompleted' },
  cancel: { from: 'pending', to: 'cancelled', event: 'OrderCancelled' },
};

export class IllegalTransitionError extends DomainError {
  constructor(status: OrderStatus, action: OrderAction) {
    super(409, 'ILLEGAL_TRANSITION', `A ${status} order cannot be ${PAST_TENSE[action]}`);
  }
}

const PAST_TENSE: Record<OrderAction, string> = {
  pay: 'paid',
  ship: 'shipped',
  complete: 'completed',
  cancel: 'cancelled',
};

/** Where `action` takes an order in `status`, or an {@link IllegalTransitionError}. */
export function nextState(status: OrderStatus, action: OrderAction): { to: OrderStatus; event: OrderEventType } {
  const transition = TRANSITIONS[action];
  if (transition.from !== status) {
    throw new IllegalTransitionError(status, action);
  }
  return { to: transition.to, event: transition.event };
}
