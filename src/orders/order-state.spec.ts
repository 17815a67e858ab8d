import { DomainError } from '../common/errors/domain-error';
import { IllegalTransitionError, nextState, ORDER_STATUSES, OrderAction, OrderStatus } from './order-state';

describe('order state machine', () => {
  it.each([
    ['pending', 'pay', 'paid', 'OrderPaid'],
    ['paid', 'ship', 'shipped', 'OrderShipped'],
    ['shipped', 'complete', 'completed', 'OrderCompleted'],
    ['pending', 'cancel', 'cancelled', 'OrderCancelled'],
  ] as const)('moves %s --%s--> %s with %s', (from, action, to, event) => {
    expect(nextState(from, action)).toEqual({ to, event });
  });

  const legal = new Set(['pending:pay', 'paid:ship', 'shipped:complete', 'pending:cancel']);
  const everyMove = ORDER_STATUSES.flatMap((status) =>
    (['pay', 'ship', 'complete', 'cancel'] as OrderAction[]).map((action) => [status, action] as const),
  );

  it.each(everyMove.filter(([status, action]) => !legal.has(`${status}:${action}`)))(
    'refuses %s --%s--> with 409 ILLEGAL_TRANSITION',
    (status: OrderStatus, action: OrderAction) => {
      let thrown: unknown;
      try {
        nextState(status, action);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(IllegalTransitionError);
      expect(thrown).toMatchObject({ status: 409, code: 'ILLEGAL_TRANSITION' } satisfies Partial<DomainError>);
    },
  );

  it('leaves completed and cancelled orders with no way out', () => {
    for (const terminal of ['completed', 'cancelled'] as OrderStatus[]) {
      for (const action of ['pay', 'ship', 'complete', 'cancel'] as OrderAction[]) {
        expect(() => nextState(terminal, action)).toThrow(IllegalTransitionError);
      }
    }
  });
});
