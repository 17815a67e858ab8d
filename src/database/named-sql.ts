import type { EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from './prepared-statements';

/**
 * `:name`, but not the `::` of a cast, nor a colon inside a quoted literal ('HH24:MI'),
 * a quoted identifier or a `--` comment: those are matched whole and kept as they are.
 */
const PLACEHOLDER = /'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|(?<![:\w]):([A-Za-z_]\w*)/g;

/**
 * One SQL statement with named placeholders (`:quantity`), written as the literal it is.
 * The text PostgreSQL gets has `$1`, `$2` … in their place (a name used twice is one
 * parameter); {@link run} binds the values by name, so no caller counts positions.
 * With `prepareAs` the statement runs as a named prepared statement (see
 * `PreparedStatement`), which needs a transaction.
 *
 * @example
 * const TAKE = new NamedSql<{ quantity: number; productId: number }>(
 *   'UPDATE products SET stock = stock - :quantity WHERE id = :productId AND stock >= :quantity RETURNING name',
 * );
 * const rows = await TAKE.run<{ name: string }>(manager, { quantity: 2, productId: 7 });
 */
export class NamedSql<Params extends object> {
  /** The statement as sent, with positional parameters. */
  readonly text: string;
  /** The parameter names, in the order of `$1`, `$2` … */
  readonly names: ReadonlyArray<keyof Params & string>;
  private readonly prepared?: PreparedStatement;

  constructor(named: string, prepareAs?: string) {
    const names: string[] = [];
    this.text = named.replace(PLACEHOLDER, (match, name: string | undefined) => {
      if (name === undefined) {
        return match;
      }
      const index = names.includes(name) ? names.indexOf(name) : names.push(name) - 1;
      return `$${index + 1}`;
    });
    this.names = names as Array<keyof Params & string>;
    this.prepared = prepareAs === undefined ? undefined : new PreparedStatement(prepareAs, this.text);
  }

  /** The values of `params` in placeholder order; a missing one is a bug, not a NULL. */
  values(params: Params): unknown[] {
    return this.names.map((name) => {
      if (!(name in params)) {
        throw new Error(`No value for the SQL parameter :${name}`);
      }
      return params[name];
    });
  }

  /** Runs the statement on `manager`'s connection (its transaction, if it has one) and returns the rows. */
  async run<Row>(manager: EntityManager, params: Params): Promise<Row[]> {
    const values = this.values(params);
    if (this.prepared) {
      return runPrepared<Row>(manager, this.prepared, values);
    }
    return (await manager.query(this.text, values)) as Row[];
  }
}
