-- The uncached product list (GET /v1/products?minPrice=N), as the service sends it: the
-- page query TypeORM builds (src/products/product-list.ts) and its count(*)
-- (countProducts), -M prepared. Also the floor for a list: a full page and its total
-- cannot take fewer statements (a page that is not full needs no count: totalFromPage).
--
-- pgbench -n -M prepared -c 64 -j 2 -T 10 -D maxprice=1000000 -f bench/list.pgbench.sql mall_bench
\set minprice random(0, :maxprice)
SELECT "product"."id" AS "product_id", "product"."sku" AS "product_sku", "product"."name" AS "product_name",
       "product"."description" AS "product_description", "product"."price" AS "product_price",
       "product"."stock" AS "product_stock", "product"."sales" AS "product_sales", "product"."status" AS "product_status",
       "product"."created_at" AS "product_created_at", "product"."updated_at" AS "product_updated_at"
  FROM "products" "product"
  WHERE ( "product"."status" = 'active' AND "product"."price" >= :minprice ) AND ( "product"."deleted_at" IS NULL )
  ORDER BY "product"."sales" DESC, "product"."id" ASC LIMIT 20 OFFSET 0;
SELECT count(*)::int AS "total"
  FROM "products" "product"
  WHERE ( "product"."status" = 'active' AND "product"."price" >= :minprice ) AND ( "product"."deleted_at" IS NULL );
