import { NamedSql } from './named-sql';

describe('NamedSql', () => {
  it('numbers the names in order of first use, one parameter per name, and leaves casts alone', () => {
    const sql = new NamedSql<{ quantity: number; productId: number; ids: number[] }>(
      `UPDATE products SET stock = stock - :quantity, sales = sales + :quantity
       WHERE id = :productId AND stock >= :quantity AND id = ANY(:ids::int[])`,
    );
    expect(sql.text).toBe(
      `UPDATE products SET stock = stock - $1, sales = sales + $1
       WHERE id = $2 AND stock >= $1 AND id = ANY($3::int[])`,
    );
    expect(sql.values({ productId: 7, ids: [7], quantity: 2 })).toEqual([2, 7, [7]]);
  });

  it('keeps quoted colons of a format string', () => {
    const sql = new NamedSql<{ at: Date }>(`SELECT to_char(:at::timestamptz, 'HH24":"MI":"SS')`);
    expect(sql.text).toBe(`SELECT to_char($1::timestamptz, 'HH24":"MI":"SS')`);
  });

  it('leaves colons inside quoted literals, quoted identifiers and comments alone', () => {
    const sql = new NamedSql<{ at: Date }>(
      `SELECT to_char(:at::timestamptz, 'HH24:MI'), 'it''s :not' AS ":odd" -- :nor this\n FROM t WHERE at = :at`,
    );
    expect(sql.text).toBe(
      `SELECT to_char($1::timestamptz, 'HH24:MI'), 'it''s :not' AS ":odd" -- :nor this\n FROM t WHERE at = $1`,
    );
    expect(sql.names).toEqual(['at']);
  });

  it('refuses to run without a value for a name', () => {
    const sql = new NamedSql<{ id: number }>('SELECT :id');
    expect(() => sql.values({} as { id: number })).toThrow('No value for the SQL parameter :id');
  });
});
