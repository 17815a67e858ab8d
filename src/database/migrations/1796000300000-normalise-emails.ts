import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The form emails are compared in from now on: trimmed, NFC, case-folded (upper then
 * lower). A copy of the service's rule as it stood when this ran: a migration must not
 * change meaning when the code it came with does.
 */
const fold = (email: string) => email.trim().normalize('NFC').toUpperCase().toLowerCase().normalize('NFC');

/**
 * Rewrites stored emails to their normalised form, so that lookups of the normalised
 * input find every account. Until now only `lower()` was applied, so two accounts may
 * hold emails that are one once normalised (`é` composed and decomposed, `ß` and `ss`).
 * The account already stored in the normalised form keeps it, else the oldest account;
 * a later one keeps its stored email unchanged (it can no longer log in) and is logged
 * by id, for an operator to merge or rename. Not reversible: `down` changes nothing.
 */
export class NormaliseEmails1796000300000 implements MigrationInterface {
  name = 'NormaliseEmails1796000300000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const rows: Array<{ id: number; email: string }> = await queryRunner.query(
      `SELECT id, email FROM users ORDER BY id`,
    );
    const owner = new Map<string, number>();
    for (const { id, email } of rows) {
      if (fold(email) === email) {
        owner.set(email, id);
      }
    }
    const logger = new Logger(NormaliseEmails1796000300000.name);
    for (const { id, email } of rows) {
      const normalised = fold(email);
      if (normalised === email) {
        continue;
      }
      const holder = owner.get(normalised);
      if (holder !== undefined) {
        logger.warn(`User ${id}'s email equals user ${holder}'s once normalised; user ${id} keeps its stored email`);
        continue;
      }
      // A savepoint per row: should PostgreSQL's lower() see a clash JavaScript does not,
      // only this row stays as it was.
      await queryRunner.query(`SAVEPOINT normalise_email`);
      try {
        await queryRunner.query(`UPDATE users SET email = $1 WHERE id = $2`, [normalised, id]);
        await queryRunner.query(`RELEASE SAVEPOINT normalise_email`);
        owner.set(normalised, id);
      } catch (error) {
        await queryRunner.query(`ROLLBACK TO SAVEPOINT normalise_email`);
        logger.warn(`User ${id}'s email was not normalised: ${(error as Error).message}`);
      }
    }
  }

  async down(): Promise<void> {
    // Normalising loses the original spelling; there is nothing to restore.
  }
}
