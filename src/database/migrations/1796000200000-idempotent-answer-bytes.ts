import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored idempotent answers keep the JSON text that was sent. As `jsonb` they came back
 * with their keys reordered (jsonb keeps no key order), so a replay was not the same bytes.
 * Rows stored before this hold jsonb's rendering, which is what they were replayed as.
 */
export class IdempotentAnswerBytes1796000200000 implements MigrationInterface {
  name = 'IdempotentAnswerBytes1796000200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys ALTER COLUMN response TYPE text USING response::text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE idempotency_keys ALTER COLUMN response TYPE jsonb USING response::jsonb`);
  }
}
