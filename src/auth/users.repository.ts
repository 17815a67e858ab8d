import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NamedSql } from '../database/named-sql';
import type { Role } from './user.entity';

/** A user as answers show them: never the password hash. */
export interface UserRow {
  id: number;
  email: string;
  name: string | null;
  role: Role;
}

/** What a login checks: the stored hash, and what the token says. */
export interface LoginRow {
  id: number;
  role: Role;
  passwordHash: string;
}

const USER_COLUMNS = `id, email, name, role`;

/** A second account for an email violates `users_email_key` (unique on lower(email)). */
const INSERT = new NamedSql<{ email: string; passwordHash: string; name: string | null; role: Role }>(
  `INSERT INTO users (email, password_hash, name, role) VALUES (:email, :passwordHash, :name, :role)
   RETURNING ${USER_COLUMNS}`,
);

/** Matches the lower(email) of users_email_key, so a login is one index lookup. */
const FIND_FOR_LOGIN = new NamedSql<{ email: string }>(
  `SELECT id, role, password_hash AS "passwordHash" FROM users WHERE lower(email) = :email`,
);

const FIND_BY_ID = new NamedSql<{ id: number }>(`SELECT ${USER_COLUMNS} FROM users WHERE id = :id`);

const FIND_BY_EMAIL = new NamedSql<{ email: string }>(`SELECT ${USER_COLUMNS} FROM users WHERE email = :email`);

const EXISTS = new NamedSql<{ id: number }>(`SELECT 1 FROM users WHERE id = :id`);

const SET_PASSWORD_HASH = new NamedSql<{ id: number; passwordHash: string }>(
  `UPDATE users SET password_hash = :passwordHash, updated_at = now() WHERE id = :id`,
);

const SET_ROLE = new NamedSql<{ id: number; role: Role }>(
  `UPDATE users SET role = :role, updated_at = now() WHERE id = :id`,
);

/**
 * Every statement about users, each visible here as the SQL it is; each runs on its
 * own, outside any transaction. Emails arrive normalised (lower-cased, see `email.ts`).
 */
@Injectable()
export class UsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(user: { email: string; passwordHash: string; name: string | null; role: Role }): Promise<UserRow> {
    const [inserted] = await INSERT.run<UserRow>(this.dataSource.manager, user);
    return inserted;
  }

  async findForLogin(email: string): Promise<LoginRow | undefined> {
    const [user] = await FIND_FOR_LOGIN.run<LoginRow>(this.dataSource.manager, { email });
    return user;
  }

  async findById(id: number): Promise<UserRow | undefined> {
    const [user] = await FIND_BY_ID.run<UserRow>(this.dataSource.manager, { id });
    return user;
  }

  async findByEmail(email: string): Promise<UserRow | undefined> {
    const [user] = await FIND_BY_EMAIL.run<UserRow>(this.dataSource.manager, { email });
    return user;
  }

  async exists(id: number): Promise<boolean> {
    return (await EXISTS.run(this.dataSource.manager, { id })).length > 0;
  }

  async setPasswordHash(id: number, passwordHash: string): Promise<void> {
    await SET_PASSWORD_HASH.run(this.dataSource.manager, { id, passwordHash });
  }

  async setRole(id: number, role: Role): Promise<void> {
    await SET_ROLE.run(this.dataSource.manager, { id, role });
  }
}
