import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox relay's lease: one row naming the instance that publishes and until when.
 * It replaces a transaction-scoped advisory lock, which had to stay open (holding a
 * pooled connection and the rows' locks) while messages went out over the network.
 */
export class OutboxRelayLease1796000000000 implements MigrationInterface {
  name = 'OutboxRelayLease1796000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox_relay_lease (
        id          smallint PRIMARY KEY CHECK (id = 1),
        holder      uuid NOT NULL,
        expires_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `INSERT INTO outbox_relay_lease (id, holder, expires_at) VALUES (1, '00000000-0000-0000-0000-000000000000', '-infinity')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox_relay_lease`);
  }
}
