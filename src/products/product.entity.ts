import {
  Check,
  Column,
  CreateDateColumn,
  DeleteDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type ProductStatus = 'active' | 'inactive';
export const PRODUCT_STATUSES: ProductStatus[] = ['active', 'inactive'];

// Constraints and indexes as the migrations create them (npm run migrations:check compares
// the two; TypeORM matches them by name, and cannot say DESC: the migrations' order stands).
@Entity('products')
@Check('products_price_check', 'price >= 0')
@Check('products_stock_check', 'stock >= 0')
@Check('products_sales_check', 'sales >= 0')
@Check('products_status_check', `status IN ('active', 'inactive')`)
@Index('products_sku_key', ['sku'], { unique: true, where: 'deleted_at IS NULL' })
@Index('products_status_sales_idx', ['status', 'sales', 'id'], { where: 'deleted_at IS NULL' })
@Index('products_status_price_idx', ['status', 'price', 'id'], { where: 'deleted_at IS NULL' })
@Index('products_status_created_idx', ['status', 'createdAt', 'id'], { where: 'deleted_at IS NULL' })
// A GIN trigram index TypeORM cannot describe; it only has to leave it alone.
@Index('products_name_trgm_idx', { synchronize: false })
export class ProductEntity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 64 })
  sku: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'text', default: '' })
  description: string;

  /** Minor units (fen / cents). */
  @Column({ type: 'integer' })
  price: number;

  @Column({ type: 'integer', default: 0 })
  stock: number;

  @Column({ type: 'integer', default: 0 })
  sales: number;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ProductStatus;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  /** Soft delete: past orders keep their snapshot, reads no longer see the product. */
  @DeleteDateColumn({ name: 'deleted_at', type: 'timestamptz', select: false })
  deletedAt: Date | null;
}
