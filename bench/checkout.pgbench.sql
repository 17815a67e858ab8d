-- The checkout transaction of src/orders/checkout.ts (its statements are TAKE_STOCK and
-- INSERT_ORDER in src/orders/orders.repository.ts), statement for statement, for one
-- line of quantity 1: the conditional stock UPDATE … RETURNING, then
-- the one statement that inserts the order, its line snapshot, its OrderCreated event and
-- the event's outbox message and returns what the answer is built from, then COMMIT.
-- What the service computes in JS is computed in SQL here: the order_sn, the event id and
-- the event data (its :orderSn, :eventId, :eventData); the statements are otherwise the service's.
--
-- pgbench -n -M prepared -c 32 -j 2 -T 10 -D minid=2 -D maxid=10000 -D users=1000 -f bench/checkout.pgbench.sql mall_bench
-- (minid = maxid = 1: every client buys the one hot product.) -M prepared as the service
-- prepares the UPDATE and the INSERT (src/database/prepared-statements.ts); -M extended
-- parses and plans every statement on every run instead.
\set pid random(:minid, :maxid)
\set uid random(1, :users)
START TRANSACTION;
UPDATE products SET stock = stock - 1, sales = sales + 1, updated_at = now()
  WHERE id = :pid AND stock >= 1 AND status = 'active' AND deleted_at IS NULL
  RETURNING name, price \gset
WITH new_order AS (
  INSERT INTO orders (order_sn, user_id, status, total) VALUES ('pgbench-' || txid_current(), :uid, 'pending', :price)
  ON CONFLICT (order_sn) DO NOTHING
  RETURNING id, order_sn, status, created_at, updated_at
), new_lines AS (
  INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, subtotal)
  SELECT new_order.id, line.*
  FROM new_order, unnest(ARRAY[:pid]::int[], ARRAY[:name]::varchar[], ARRAY[:price]::int[], ARRAY[1]::int[], ARRAY[:price]::bigint[]) AS line
), new_event AS (
  INSERT INTO order_events (id, order_id, seq, type, data)
  SELECT gen_random_uuid(), new_order.id, 1, 'OrderCreated'::varchar,
         jsonb_build_object('total', :price::int, 'items', jsonb_build_array(jsonb_build_object(
           'productId', :pid::int, 'quantity', 1, 'name', :name::text, 'unitPrice', :price::int, 'subtotal', :price::int)))
  FROM new_order
  RETURNING id, order_id, seq, type, data, at
), new_message AS (
  INSERT INTO outbox (id, subject, payload, created_at)
  SELECT new_event.id, 'mall.orders.' || new_event.type,
         jsonb_build_object('id', new_event.id, 'type', new_event.type, 'orderId', new_event.order_id,
                            'orderSn', ('pgbench-' || txid_current())::varchar, 'seq', new_event.seq,
                            'at', to_char(new_event.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24":"MI":"SS.MS"Z"'),
                            'data', new_event.data),
         clock_timestamp()
  FROM new_event
)
SELECT id, status, created_at AS "createdAt", updated_at AS "updatedAt" FROM new_order;
COMMIT;
