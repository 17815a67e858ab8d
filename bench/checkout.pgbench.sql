-- The checkout transaction of src/orders/checkout.ts + order-history.service.ts +
-- messaging/outbox.ts, statement for statement, for one line of quantity 1: the
-- conditional stock UPDATE … RETURNING, the order, its line snapshot, the OrderCreated
-- event, its outbox row, and the read-back of the order with its lines that the service
-- answers with (OrdersService.load, inside the same transaction).
--
-- pgbench -n -M extended -c 32 -j 2 -T 10 -D minid=2 -D maxid=10000 -D users=1000 -f bench/checkout.pgbench.sql mall_bench
-- (minid = maxid = 1: every client buys the one hot product.)
\set pid random(:minid, :maxid)
\set uid random(1, :users)
BEGIN;
UPDATE products SET stock = stock - 1, sales = sales + 1, updated_at = now()
  WHERE id = :pid AND stock >= 1 AND status = 'active' AND deleted_at IS NULL
  RETURNING name, price \gset
INSERT INTO orders (order_sn, user_id, status, total)
  VALUES ('pgbench-' || txid_current(), :uid, 'pending', :price) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, subtotal)
  SELECT :order_id, * FROM unnest(ARRAY[:pid]::int[], ARRAY[:name]::varchar[], ARRAY[:price]::int[], ARRAY[1]::int[], ARRAY[:price]::bigint[]);
INSERT INTO order_events (id, order_id, seq, type, data)
  SELECT gen_random_uuid(), :order_id, coalesce(max(seq), 0) + 1, 'OrderCreated', '{"total": 0}'::jsonb
  FROM order_events WHERE order_id = :order_id
  RETURNING id AS event_id, seq, at \gset
INSERT INTO outbox (id, subject, payload)
  VALUES (:event_id, 'mall.orders.OrderCreated', jsonb_build_object('id', :event_id::text, 'orderId', :order_id::int, 'seq', :seq::int));
SELECT o.id, o.order_sn, o.status, o.total, o.created_at, o.updated_at,
       i.product_id, i.name, i.unit_price, i.quantity, i.subtotal
  FROM orders o LEFT JOIN order_items i ON i.order_id = o.id
  WHERE o.id = :order_id;
COMMIT;
