-- The uncached product list (GET /v1/products?minPrice=N), as the service sends it: the
-- one statement src/products/product-list.ts builds for the default sort and a minPrice
-- filter (the page, and its count(*) when the page does not tell the total), -M prepared
-- as the service prepares it. Also the floor for a list: a page and its total cannot take
-- fewer statements. Only the status is inlined here ('active'); the service binds it too.
--
-- pgbench -n -M prepared -c 64 -j 2 -T 10 -D maxprice=1000000 -f bench/list.pgbench.sql mall_bench
\set minprice random(0, :maxprice)
\set pagesize 20
\set offset 0
WITH page AS (SELECT id, sku, name, description, price, stock, sales, status, created_at, updated_at FROM products WHERE status = 'active' AND deleted_at IS NULL AND price >= :minprice ORDER BY sales DESC, id LIMIT :pagesize OFFSET :offset),
  shown AS (SELECT count(*)::int AS rows FROM page)
SELECT page.*, (CASE WHEN shown.rows BETWEEN 1 AND :pagesize - 1 THEN :offset + shown.rows
                     ELSE (SELECT count(*) FROM products WHERE status = 'active' AND deleted_at IS NULL AND price >= :minprice) END)::int AS total
FROM shown LEFT JOIN page ON true
ORDER BY page.sales DESC, page.id;
