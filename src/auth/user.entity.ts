import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { Role } from '../common/auth-context/auth-user';

export type { Role };

// Constraints as the migrations create them (npm run migrations:check compares the two).
@Entity('users')
@Check('users_role_check', `role IN ('customer', 'admin')`)
export class UserEntity {
  @PrimaryGeneratedColumn()
  id: number;

  /** Always stored lower-cased; unique on lower(email). */
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 16, default: 'customer' })
  role: Role;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
