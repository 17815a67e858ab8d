import {
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { OrderEventType, OrderStatus } from './order-state';

/** bigint columns come back from pg as strings; amounts here always fit in a JS number. */
const bigintAsNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

@Entity('orders')
export class OrderEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'order_sn', type: 'varchar', length: 32 })
  orderSn: string;

  @Column({ name: 'user_id', type: 'integer' })
  userId: number;

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
export class OrderItemEntity {
  @PrimaryColumn({ name: 'order_id', type: 'integer' })
  orderId: number;

  @PrimaryColumn({ name: 'product_id', type: 'integer' })
  productId: number;

  @ManyToOne(() => OrderEntity, (order) => order.items)
  @JoinColumn({ name: 'order_id' })
  order: OrderEntity;

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
export class OrderEventEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'order_id', type: 'integer' })
  orderId: number;

  @Column({ type: 'integer' })
  seq: number;

  @Column({ type: 'varchar', length: 32 })
  type: OrderEventType;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Column({ type: 'timestamptz' })
  at: Date;
}
