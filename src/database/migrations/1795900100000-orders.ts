import { MigrationInterface, QueryRunner } from 'typeorm';

export class Orders1795900100000 implements MigrationInterface {
  name = 'Orders1795900100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE orders (
        id              serial PRIMARY KEY,
        order_sn        varchar(32) NOT NULL,
        user_id         integer NOT NULL REFERENCES users (id),
        status          varchar(16) NOT NULL
                        CHECK (status IN ('pending', 'paid', 'shipped', 'completed', 'cancelled')),
        total           bigint NOT NULL CHECK (total >= 0),
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX orders_order_sn_key ON orders (order_sn)`);
    await queryRunner.query(`CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX orders_created_idx ON orders (created_at DESC, id DESC)`);
    // The payment-timeout sweep reads only pending orders, oldest first.
    await queryRunner.query(`CREATE INDEX orders_pending_created_idx ON orders (created_at) WHERE status = 'pending'`);

    await queryRunner.query(`
      CREATE TABLE order_items (
        order_id    integer NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
        product_id  integer NOT NULL REFERENCES products (id),
        name        varchar(200) NOT NULL,
        unit_price  integer NOT NULL CHECK (unit_price >= 0),
        quantity    integer NOT NULL CHECK (quantity > 0),
        subtotal    bigint NOT NULL CHECK (subtotal >= 0),
        PRIMARY KEY (order_id, product_id)
      )`);

    await queryRunner.query(`
      CREATE TABLE order_events (
        id        uuid PRIMARY KEY,
        order_id  integer NOT NULL REFERENCES orders (id),
        seq       integer NOT NULL CHECK (seq > 0),
        type      varchar(32) NOT NULL,
        data      jsonb NOT NULL DEFAULT '{}',
        at        timestamptz NOT NULL DEFAULT now(),
        UNIQUE (order_id, seq)
      )`);
    // History is append-only: the database refuses to rewrite it.
    await queryRunner.query(`
      CREATE FUNCTION order_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'order_events is append-only';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER order_events_no_rewrite BEFORE UPDATE OR DELETE ON order_events
      FOR EACH ROW EXECUTE FUNCTION order_events_append_only()`);

    // Transactional outbox: one row per order event, written in the event's transaction.
    await queryRunner.query(`
      CREATE TABLE outbox (
        id            uuid PRIMARY KEY,
        subject       varchar(128) NOT NULL,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz,
        attempts      integer NOT NULL DEFAULT 0,
        last_error    text
      )`);
    await queryRunner.query(`CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL`);

    // Idempotency keys, scoped to user and route, stored with the answer they produced.
    await queryRunner.query(`
      CREATE TABLE idempotency_keys (
        user_id      integer NOT NULL REFERENCES users (id),
        route        varchar(64) NOT NULL,
        key          varchar(255) NOT NULL,
        fingerprint  char(64) NOT NULL,
        status_code  integer NOT NULL,
        response     jsonb NOT NULL,
        headers      jsonb NOT NULL DEFAULT '{}',
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, route, key)
      )`);
    await queryRunner.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);

    // Webhook inbox: a repeated eventId is recognised and changes nothing.
    await queryRunner.query(`
      CREATE TABLE webhook_inbox (
        event_id     varchar(255) NOT NULL,
        source       varchar(16) NOT NULL CHECK (source IN ('payments', 'logistics')),
        order_id     integer REFERENCES orders (id),
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (source, event_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webhook_inbox`);
    await queryRunner.query(`DROP TABLE idempotency_keys`);
    await queryRunner.query(`DROP TABLE outbox`);
    await queryRunner.query(`DROP TABLE order_events`);
    await queryRunner.query(`DROP FUNCTION order_events_append_only`);
    await queryRunner.query(`DROP TABLE order_items`);
    await queryRunner.query(`DROP TABLE orders`);
  }
}
