import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CartService } from '../cart/cart.service';
import type { AuthUser } from '../common/auth-context/auth-user';
import { type Transaction, TransactionRunner } from '../database/transaction-runner';
import { Checkout } from './checkout';
import { CreateOrderDto, ListOrdersQuery } from './dto/order-requests.dto';
import { orderEventFrom, type OrderEventDto } from './dto/order-event.dto';
import { OrderDto, OrderPageDto } from './dto/order.dto';
import { IdempotentAnswer, IdempotentRequests } from './idempotent-requests.service';
import { OrderEffects } from './order-effects';
import { nextState, type OrderAction } from './order-state';
import { OrderNotFoundError } from './orders.errors';
import { type LockedOrder, OrdersRepository } from './orders.repository';

export interface TransitionOptions {
  /** Only this caller's orders are visible (admins see every order). */
  visibleTo?: AuthUser;
  /** Stored with the event, e.g. `{ reason: 'customer' }`. */
  data?: Record<string, unknown>;
}

/**
 * Places orders and moves them through the state machine. The SQL is the repository's,
 * the checkout's writes are `Checkout`'s, and what follows a commit (cart, cache,
 * outbox, metrics) is `OrderEffects`', registered on the transaction.
 */
@Injectable()
export class OrdersService {
  constructor(
    private readonly orders: OrdersRepository,
    private readonly transactions: TransactionRunner,
    private readonly idempotent: IdempotentRequests,
    private readonly checkout: Checkout,
    private readonly cart: CartService,
    private readonly effects: OrderEffects,
  ) {}

  /**
   * Checkout: `{}` buys the whole cart, `{items}` buys those lines. Stock, sales, the
   * order, its lines and its `OrderCreated` event (with its outbox message) commit in one
   * transaction; the lines leave the cart after the commit, before the answer (a 4xx
   * the checkout decided rolled back: nothing follows it). The answer is JSON text: with
   * an Idempotency-Key, replays repeat its bytes.
   */
  create(
    user: AuthUser,
    body: CreateOrderDto,
    request: { idempotencyKey?: string; requestId: string },
  ): Promise<IdempotentAnswer> {
    return this.idempotent.run<OrderDto>(
      { userId: user.id, route: 'POST /v1/orders', key: request.idempotencyKey, body, requestId: request.requestId },
      async (manager, tx) => {
        // Read here, not before: a replayed `{}` must not see the cart its first answer emptied.
        const order = await this.checkout.place(manager, user.id, body.items ?? (await this.cart.lines(user.id)));
        tx.afterCommit(() => this.effects.placed(user.id, productIdsOf(order.items)));
        return { status: 201, body: order, headers: { Location: `/v1/orders/${order.id}` } };
      },
    );
  }

  async list(user: AuthUser, query: ListOrdersQuery): Promise<OrderPageDto> {
    const [orders, total] = await this.orders.page(user.role === 'admin' ? undefined : user.id, query);
    return { items: orders.map(OrderDto.from), page: query.page, pageSize: query.pageSize, total };
  }

  async findOne(user: AuthUser, id: number): Promise<OrderDto> {
    const order = await this.orders.findWithItems(id);
    if (!order || !canSee(user, order.userId)) {
      throw new OrderNotFoundError(id);
    }
    return OrderDto.from(order);
  }

  async eventsOf(user: AuthUser, id: number): Promise<OrderEventDto[]> {
    await this.findOne(user, id);
    return (await this.orders.history(id)).map(orderEventFrom);
  }

  /** Moves an order through the state machine (see `order-state.ts`) in one transaction. */
  async transition(
    which: { id: number } | { orderSn: string },
    action: OrderAction,
    options: TransitionOptions = {},
  ): Promise<OrderDto> {
    const id = await this.transactions.run(async (manager, tx) => {
      const order = await this.lock(manager, which, options.visibleTo);
      await this.move(manager, tx, order, action, options.data ?? {});
      return order.id;
    });
    return this.view(id);
  }

  /**
   * Cancels up to `batchSize` pending orders older than `olderThanSeconds`. Rows are
   * claimed with `FOR UPDATE SKIP LOCKED`, so instances sweeping at the same time split
   * the work and no order is cancelled twice. Returns how many were cancelled.
   */
  cancelExpired(olderThanSeconds: number, batchSize: number): Promise<number> {
    return this.transactions.run(async (manager, tx) => {
      const expired = await this.orders.lockExpired(manager, olderThanSeconds, batchSize);
      for (const order of expired) {
        await this.move(manager, tx, order, 'cancel', { reason: 'payment_timeout' });
      }
      return expired.length;
    });
  }

  /** Locks an order for a transition, inside the caller's transaction; not found unless `visibleTo` may see it. */
  async lock(
    manager: EntityManager,
    which: { id: number } | { orderSn: string },
    visibleTo?: AuthUser,
  ): Promise<LockedOrder> {
    const order = await this.orders.lock(manager, which);
    if (!order || (visibleTo && !canSee(visibleTo, order.userId))) {
      throw new OrderNotFoundError('id' in which ? which.id : which.orderSn);
    }
    return order;
  }

  /**
   * Applies `action` to the locked `order` inside the caller's transaction: the new status,
   * the stock a cancel gives back, the event in its history (and the outbox); what follows
   * the commit is registered on `tx`. Throws `InvalidTransitionError` if its state cannot take it.
   */
  async move(
    manager: EntityManager,
    tx: Transaction,
    order: LockedOrder,
    action: OrderAction,
    data: Record<string, unknown>,
  ): Promise<void> {
    const { to, event } = nextState(order.status, action);
    await this.orders.setStatus(manager, order.id, to);
    const lines = action === 'cancel' ? await this.orders.linesOf(manager, order.id) : [];
    await this.orders.restoreStock(manager, lines);
    await this.orders.appendEvent(manager, order, event, data);
    tx.afterCommit(() => this.effects.moved(action, data, productIdsOf(lines)));
  }

  /** The order as the API shows it. */
  async view(id: number): Promise<OrderDto> {
    const order = await this.orders.findWithItems(id);
    if (!order) {
      throw new OrderNotFoundError(id);
    }
    return OrderDto.from(order);
  }
}

function canSee(user: AuthUser, ownerId: number): boolean {
  return user.role === 'admin' || user.id === ownerId;
}

function productIdsOf(lines: Array<{ productId: number }>): number[] {
  return lines.map((line) => line.productId);
}
