import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  Unique,
  UpdateDateColumn,
} from 'typeorm';
import { UserEntity } from '../auth/user.entity';
import { ProductEntity } from '../products/product.entity';
import type { OrderEventType, OrderStatus } from './order-state';

/** bigint columns come back from pg as strings; amounts here always fit in a JS number. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

// Constraints, keys and indexes as the migrations create them (npm run migrations:check
// compares the two; TypeORM matches them by name, and cannot say DESC: the migrations' order stands).
@Entity('orders')
@Check('orders_status_check', `status IN ('pending', 'paid', 'shipped', 'completed', 'cancelled')`)
@Check('orders_total_check', 'total >= 0')
@Index('orders_order_sn_key', ['orderSn'], { unique: true })
@Index('orders_user_created_idx', ['userId', 'createdAt', 'id'])
@Index('orders_created_idx', ['createdAt', 'id'])
@Index('orders_pending_created_idx', ['createdAt'], { where: `status = 'pending'` })
export class OrderEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'order_sn', type: 'varchar', length: 32 })
  orderSn: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

  @ManyToOne(() => UserEntity)
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'orders_user_id_fkey' })
  user?: UserEntity;

  @Column({ type: 'varchar', length: 16 })
  status: OrderStatus;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  total: number;

  @OneToMany(() => OrderItemEntity, (item) => item.order)
  items: OrderItemEntity[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** A line as it was when ordered: name and price are a snapshot. */
@Entity('order_items')
@Check('order_items_unit_price_check', 'unit_price >= 0')
@Check('order_items_quantity_check', 'quantity > 0')
@Check('order_items_subtotal_check', 'subtotal >= 0')
export class OrderItemEntity {
  @PrimaryColumn({ name: 'order_id', type: 'integer' })
  orderId: number;

  @PrimaryColumn({ name: 'product_id', type: 'integer' })
  productId: number;

  @ManyToOne(() => OrderEntity, (order) => order.items, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_items_order_id_fkey' })
  order: OrderEntity;

  @ManyToOne(() => ProductEntity)
  @JoinColumn({ name: 'product_id', foreignKeyConstraintName: 'order_items_product_id_fkey' })
  product?: ProductEntity;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'unit_price', type: 'integer' })
  unitPrice: number;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  subtotal: number;
}

@Entity('order_events')
@Check('order_events_seq_check', 'seq > 0')
@Unique('order_events_order_id_seq_key', ['orderId', 'seq'])
export class OrderEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'order_id', type: 'integer' })
  orderId: number;

  @ManyToOne(() => OrderEntity)
  @JoinColumn({ name: 'order_id', foreignKeyConstraintName: 'order_events_order_id_fkey' })
  order?: OrderEntity;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  type: OrderEventType;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  at: Date;
}
