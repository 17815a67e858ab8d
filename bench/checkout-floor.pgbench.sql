-- The floor for a checkout: the work any checkout of one line must do, and nothing else.
-- One transaction: the conditional stock UPDATE … RETURNING, then the order, its line, its
-- OrderCreated event and that event's outbox row, each a plain INSERT, then COMMIT. On the
-- service's own tables (their constraints and the indexes reads need), with the smallest
-- honest payloads; no order number retry, no JSON built in SQL, no answer read back.
--
-- pgbench -n -M prepared -c 32 -j 2 -T 10 -D minid=2 -D maxid=10000 -D users=1000 -f bench/checkout-floor.pgbench.sql mall_bench
\set pid random(:minid, :maxid)
\set uid random(1, :users)
BEGIN;
UPDATE products SET stock = stock - 1, sales = sales + 1 WHERE id = :pid AND stock >= 1 RETURNING name, price \gset
INSERT INTO orders (order_sn, user_id, status, total)
  VALUES ('floor-' || :client_id || '-' || txid_current(), :uid, 'pending', :price) RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, product_id, name, unit_price, quantity, subtotal)
  VALUES (:order_id, :pid, :name, :price, 1, :price);
INSERT INTO order_events (id, order_id, seq, type, data)
  VALUES (gen_random_uuid(), :order_id, 1, 'OrderCreated', jsonb_build_object('total', :price::int)) RETURNING id AS event_id \gset
INSERT INTO outbox (id, subject, payload)
  VALUES (:event_id, 'mall.orders.OrderCreated', jsonb_build_object('id', :event_id::text, 'orderId', :order_id::int, 'seq', 1));
COMMIT;
