import type { OrderEventType, OrderStatus } from '../orders/order-state';
import { formatPrice } from './money';

const STATUS_LABELS: Record<OrderStatus, string> = {
  pending: 'Awaiting payment',
  paid: 'Paid',
  shipped: 'Shipped',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

const EVENT_LABELS: Record<OrderEventType, string> = {
  OrderCreated: 'Order placed',
  OrderPaid: 'Payment received',
  OrderShipped: 'Shipped',
  OrderCompleted: 'Completed',
  OrderCancelled: 'Cancelled',
};

/** What every template can call besides its page's data. */
export const VIEW_HELPERS = {
  price: formatPrice,
  /** `2026-11-23T22:15:30.000Z` → `2026-11-23 22:15 UTC`. */
  when: (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`,
  statusLabel: (status: OrderStatus) => STATUS_LABELS[status] ?? status,
  eventLabel: (type: OrderEventType) => EVENT_LABELS[type] ?? type,
  /** An event's plain facts (`reason: customer`, `carrier: SF Express`); nested data such as the lines is left out. */
  eventDetails: (data: Record<string, unknown> | undefined) =>
    Object.entries(data ?? {})
      .filter(([, value]) => ['string', 'number', 'boolean'].includes(typeof value))
      .map(([name, value]) => `${name}: ${String(value)}`)
      .join(', '),
};
