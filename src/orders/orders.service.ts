import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../common/auth-context/auth-user';
import { CartService } from '../cart/cart.service';
import { TransactionRunner } from '../database/transaction-runner';
import { OutboxRelay } from '../messaging/outbox-relay.service';
import { MetricsService } from '../metrics/metrics.service';
import { InsufficientStockError } from '../products/products.errors';
import { ProductsService } from '../products/products.service';
import { placeOrder, restoreStock } from './checkout';
import { CreateOrderDto, ListOrdersQuery } from './dto/order-requests.dto';
import { OrderDto, OrderEventDto, OrderPageDto } from './dto/order.dto';
import { IdempotentAnswer, IdempotentRequests } from './idempotent-requests.service';
import { OrderHistory } from './order-history.service';
import { normaliseLines, type RequestedLine } from './order-pricing';
import { nextState, type CancelReason, type OrderAction, type OrderStatus } from './order-state';
import { OrderEntity, OrderEventEntity } from './order.entity';
import { OrderNotFoundError } from './orders.errors';

/** The locked row a transition works on. */
export interface LockedOrder {
  id: number;
  orderSn: string;
  userId: number;
  status: OrderStatus;
  total: number;
}

export interface TransitionOptions {
  /** Only this caller's orders are visible (admins see every order). */
  visibleTo?: AuthUser;
  /** Stored with the event, e.g. `{ reason: 'customer' }`. */
  data?: Record<string, unknown>;
  /** Runs inside the transaction, after the order is locked and before it moves (checks, inbox rows). */
  before?: (manager: EntityManager, order: LockedOrder) => Promise<void>;
}

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectRepository(OrderEntity) private readonly orders: Repository<OrderEntity>,
    @InjectRepository(OrderEventEntity) private readonly events: Repository<OrderEventEntity>,
    private readonly transactions: TransactionRunner,
    private readonly idempotent: IdempotentRequests,
    private readonly history: OrderHistory,
    private readonly cart: CartService,
    private readonly products: ProductsService,
    private readonly metrics: MetricsService,
    private readonly outbox: OutboxRelay,
  ) {}

  /**
   * Checkout: `{}` buys the whole cart, `{items}` buys those lines. Stock, sales, the
   * order, its lines and its `OrderCreated` event (with its outbox message) commit in one
   * transaction (see `placeOrder`); the lines leave the cart after the commit.
   */
  async create(user: AuthUser, body: CreateOrderDto, idempotencyKey?: string): Promise<IdempotentAnswer<OrderDto>> {
    let lines: RequestedLine[] = [];
    const answer = await this.idempotent.run<OrderDto>(
      { userId: user.id, route: 'POST /v1/orders', key: idempotencyKey, body },
      async (manager) => {
        // Read here, not before: a replayed `{}` must not see the cart its first answer emptied.
        lines = normaliseLines(body.items ?? (await this.cart.lines(user.id)));
        const placed = await placeOrder(manager, user.id, lines).catch((error: unknown) => {
          if (error instanceof InsufficientStockError) {
            this.metrics.stockConflicts.inc();
          }
          throw error;
        });
        // Answered from what was inserted: reading the order back would cost a round trip.
        const order = OrderDto.from({ ...placed, items: placed.lines });
        return { status: 201, body: order, headers: { Location: `/v1/orders/${order.id}` } };
      },
    );
    if (!answer.replayed) {
      this.outbox.nudge();
      this.metrics.ordersCreated.inc();
      await Promise.all([this.afterStockMoved(lines), this.removeFromCart(user.id, lines)]);
    }
    return answer;
  }

  async list(user: AuthUser, query: ListOrdersQuery): Promise<OrderPageDto> {
    const [orders, total] = await this.orders.findAndCount({
      where: user.role === 'admin' ? {} : { userId: user.id },
      relations: { items: true },
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    });
    return { items: orders.map(OrderDto.from), page: query.page, pageSize: query.pageSize, total };
  }

  async findOne(user: AuthUser, id: number): Promise<OrderDto> {
    const order = await this.orders.findOne({ where: { id }, relations: { items: true } });
    if (!order || !canSee(user, order.userId)) {
      throw new OrderNotFoundError(id);
    }
    return OrderDto.from(order);
  }

  async eventsOf(user: AuthUser, id: number): Promise<OrderEventDto[]> {
    await this.findOne(user, id);
    const events = await this.events.find({ where: { orderId: id }, order: { seq: 'ASC' } });
    return events.map(OrderEventDto.from);
  }

  /** Moves an order through the state machine (see `order-state.ts`) in one transaction. */
  async transition(
    which: { id: number } | { orderSn: string },
    action: OrderAction,
    options: TransitionOptions = {},
  ): Promise<OrderDto> {
    const moved = await this.transactions.run(async (manager) => {
      const order = await lockOrder(manager, which);
      if (!order || (options.visibleTo && !canSee(options.visibleTo, order.userId))) {
        throw new OrderNotFoundError('id' in which ? which.id : which.orderSn);
      }
      await options.before?.(manager, order);
      return this.applyWithin(manager, order, action, options.data ?? {});
    });
    await this.afterTransition(moved);
    return this.load(moved.order.id);
  }

  /**
   * Cancels up to `batchSize` pending orders older than `olderThanSeconds`. Rows are
   * claimed with `FOR UPDATE SKIP LOCKED`, so instances sweeping at the same time split
   * the work and no order is cancelled twice. Returns how many were cancelled.
   */
  async cancelExpired(olderThanSeconds: number, batchSize: number): Promise<number> {
    const moved = await this.transactions.run(async (manager) => {
      const expired = (await manager.query(
        `SELECT id, order_sn AS "orderSn", user_id AS "userId", status, total::float8 AS total FROM orders
         WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1)
         ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [olderThanSeconds, batchSize],
      )) as LockedOrder[];
      const results = [];
      for (const order of expired) {
        results.push(await this.applyWithin(manager, order, 'cancel', { reason: 'payment_timeout' }));
      }
      return results;
    });
    for (const result of moved) {
      await this.afterTransition(result);
    }
    return moved.length;
  }

  private async applyWithin(
    manager: EntityManager,
    order: LockedOrder,
    action: OrderAction,
    data: Record<string, unknown>,
  ): Promise<{ order: LockedOrder; action: OrderAction; data: Record<string, unknown>; lines: RequestedLine[] }> {
    const { to, event } = nextState(order.status, action);
    await manager.query(`UPDATE orders SET status = $1, updated_at = now() WHERE id = $2`, [to, order.id]);
    let lines: RequestedLine[] = [];
    if (action === 'cancel') {
      lines = (await manager.query(`SELECT product_id AS "productId", quantity FROM order_items WHERE order_id = $1`, [
        order.id,
      ])) as RequestedLine[];
      await restoreStock(manager, lines);
    }
    await this.history.append(manager, order, event, data);
    return { order, action, data, lines };
  }

  private async afterTransition(moved: { action: OrderAction; data: Record<string, unknown>; lines: RequestedLine[] }) {
    this.outbox.nudge();
    if (moved.action === 'cancel') {
      this.metrics.ordersCancelled.inc({ reason: String(moved.data.reason as CancelReason) });
      await this.afterStockMoved(moved.lines);
    }
  }

  /** The order stands even if Redis is down now; the lines then stay in the cart (logged). */
  private async removeFromCart(userId: number, lines: RequestedLine[]): Promise<void> {
    try {
      await this.cart.removeProducts(
        userId,
        lines.map((line) => line.productId),
      );
    } catch (error) {
      this.logger.warn(`Ordered lines left in the cart of user ${userId}: ${(error as Error).message}`);
    }
  }

  /** Stock and sales changed: cached product reads must show it at once. */
  private async afterStockMoved(lines: RequestedLine[]): Promise<void> {
    await this.products.invalidate(lines.map((line) => line.productId));
  }

  private async load(id: number): Promise<OrderDto> {
    const order = await this.orders.findOneOrFail({ where: { id }, relations: { items: true } });
    return OrderDto.from(order);
  }
}

function canSee(user: AuthUser, ownerId: number): boolean {
  return user.role === 'admin' || user.id === ownerId;
}

async function lockOrder(
  manager: EntityManager,
  which: { id: number } | { orderSn: string },
): Promise<LockedOrder | undefined> {
  const select = `SELECT id, order_sn AS "orderSn", user_id AS "userId", status, total::float8 AS total FROM orders`;
  const rows = (await ('id' in which
    ? manager.query(`${select} WHERE id = $1 FOR UPDATE`, [which.id])
    : manager.query(`${select} WHERE order_sn = $1 FOR UPDATE`, [which.orderSn]))) as LockedOrder[];
  return rows[0];
}
