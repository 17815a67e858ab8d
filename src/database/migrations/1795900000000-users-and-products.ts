import { MigrationInterface, QueryRunner } from 'typeorm';

export class UsersAndProducts1795900000000 implements MigrationInterface {
  name = 'UsersAndProducts1795900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id            serial PRIMARY KEY,
        email         varchar(254) NOT NULL,
        password_hash text NOT NULL,
        name          varchar(100),
        role          varchar(16) NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'admin')),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    // Emails are stored lower-cased; the index makes "case-insensitive unique" a database fact.
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email))`);

    await queryRunner.query(`
      CREATE TABLE products (
        id          serial PRIMARY KEY,
        sku         varchar(64) NOT NULL,
        name        varchar(200) NOT NULL,
        description text NOT NULL DEFAULT '',
        price       integer NOT NULL CHECK (price >= 0),
        stock       integer NOT NULL DEFAULT 0 CHECK (stock >= 0),
        sales       integer NOT NULL DEFAULT 0 CHECK (sales >= 0),
        status      varchar(16) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now(),
        deleted_at  timestamptz
      )`);
    // A deleted product frees its sku; live products keep skus unique.
    await queryRunner.query(`CREATE UNIQUE INDEX products_sku_key ON products (sku) WHERE deleted_at IS NULL`);
    // One index per list sort, each led by the status filter and ending in the id tie-break.
    await queryRunner.query(
      `CREATE INDEX products_status_sales_idx ON products (status, sales DESC, id) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX products_status_price_idx ON products (status, price, id) WHERE deleted_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX products_status_created_idx ON products (status, created_at DESC, id) WHERE deleted_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE products`);
    await queryRunner.query(`DROP TABLE users`);
  }
}
