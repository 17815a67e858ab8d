import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `q` (a case-insensitive substring of the name, `ILIKE '%…%'`) served by a trigram
 * index instead of a scan of every product. pg_trgm indexes the trigrams of words;
 * a search text of three or more characters uses it, a shorter one still scans.
 */
export class ProductSearchIndex1796000100000 implements MigrationInterface {
  name = 'ProductSearchIndex1796000100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    await queryRunner.query(
      `CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX products_name_trgm_idx`);
  }
}
