import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../common/auth-context/auth-user';
import { CacheService, type CacheEntry } from '../cache/cache.service';
import type { AppConfig } from '../config/configuration';
import { ConcurrentLoads } from '../rate-limit/concurrent-loads';
import { isUniqueViolation } from '../database/transaction-runner';
import { CreateProductDto, UpdateProductDto } from './dto/create-product.dto';
import { ListProductsQuery } from './dto/list-products.query';
import { ProductDto, ProductPageDto } from './dto/product.dto';
import { queryPrepared } from '../database/prepared-statements';
import { productListStatement, productPageFromRows, type ProductListRow } from './product-list';
import { ProductEntity } from './product.entity';
import { assertMayList, visibleOrNotFound } from './product-visibility';
import {
  listQueryCacheId,
  PRODUCT_CACHE,
  PRODUCT_CACHE_TTL,
  PRODUCT_LIST_CACHE,
  PRODUCT_LIST_CACHE_TTL,
} from './products.cache';
import { ProductNotFoundError, SkuTakenError } from './products.errors';

/** Who asks for a list: the viewer the visibility rule judges, and the client its loads count against. */
export interface ListCaller {
  viewer: AuthUser | undefined;
  /** `clientKeyOf` the request: the user, or the client's address. */
  client: string;
}

@Injectable()
export class ProductsService {
  /** statement_timeout of a list's statement; none on the embedded database, which cannot cancel one. */
  private readonly listTimeoutMs: number | undefined;

  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    private readonly cache: CacheService,
    private readonly loads: ConcurrentLoads,
    config: ConfigService<AppConfig, true>,
  ) {
    const database = config.get('database', { infer: true });
    this.listTimeoutMs = database.embedded ? undefined : database.listStatementTimeoutMs;
  }

  async findOne(id: number): Promise<ProductDto> {
    const product = await this.products.findOneBy({ id });
    if (!product) {
      throw new ProductNotFoundError(id);
    }
    return ProductDto.from(product);
  }

  /**
   * The product as cached for `GET /v1/products/:id` (same entry, same lifetimes), or
   * null when it does not exist. For services that need current names and prices.
   */
  async findCached(id: number): Promise<ProductDto | null> {
    return (await this.findCachedEntry(id)).value;
  }

  /**
   * The product as `viewer` may see it ({@link visibleOrNotFound}: 404 when it does not
   * exist or is unreleased and they are no admin), read as {@link findCached} reads it, and
   * the cache entry it was read from (what a page rendered from it is current with).
   */
  async findVisibleEntry(id: number, viewer: AuthUser | undefined): Promise<{ value: ProductDto; entry?: CacheEntry }> {
    const { value, entry } = await this.findCachedEntry(id);
    return { value: visibleOrNotFound(id, value, viewer), entry };
  }

  /** {@link findCached}, and the cache entry it was read from. */
  private findCachedEntry(id: number): Promise<{ value: ProductDto | null; entry?: CacheEntry }> {
    return this.cache.wrapEntry(
      PRODUCT_CACHE,
      String(id),
      async () => {
        const product = await this.products.findOneBy({ id });
        return product ? ProductDto.from(product) : null;
      },
      PRODUCT_CACHE_TTL,
    );
  }

  /** {@link findCached} for many ids, in their order, in one round trip for what this instance does not hold. */
  async findManyCached(ids: number[]): Promise<Array<ProductDto | null>> {
    const found = await this.cache.wrapManyJson(
      PRODUCT_CACHE,
      ids.map(String),
      async (id) => {
        const product = await this.products.findOneBy({ id: Number(id) });
        return product ? ProductDto.from(product) : null;
      },
      PRODUCT_CACHE_TTL,
    );
    return found.map((json) => (json === null ? null : (JSON.parse(json) as ProductDto)));
  }

  /**
   * One page and its total, in one prepared statement (see `productListStatement`): no
   * query builder or entities on the way, rows mapped straight to the answer. A status
   * other than active is the admin's (403 for the viewer otherwise). What the query asks
   * decides what it costs, so the load is bounded three ways: it counts against the
   * client's concurrent loads (429 past `LIST_LOADS_PER_CLIENT`), its statement against
   * `LIST_STATEMENT_TIMEOUT_MS` (503), and its depth against `PageQuery`'s offset limit.
   */
  async list(query: ListProductsQuery, caller: ListCaller): Promise<ProductPageDto> {
    assertMayList(query.status, caller.viewer);
    const { statement, values } = productListStatement(query);
    const rows = await this.loads.run(caller.client, () =>
      queryPrepared<ProductListRow>(this.products.manager.connection, statement, values, {
        statementTimeoutMs: this.listTimeoutMs,
      }),
    );
    return productPageFromRows(query, rows);
  }

  /**
   * {@link list} through the list cache (same namespace and lifetimes as `GET /v1/products`),
   * and the cache entry it was read from. The viewer is checked before the cache: an entry
   * an admin filled must not reach anyone else.
   */
  async listCachedEntry(
    query: ListProductsQuery,
    caller: ListCaller,
  ): Promise<{ value: ProductPageDto; entry?: CacheEntry }> {
    assertMayList(query.status, caller.viewer);
    const { value, entry } = await this.cache.wrapEntry(
      PRODUCT_LIST_CACHE,
      listQueryCacheId(query),
      () => this.list(query, caller),
      PRODUCT_LIST_CACHE_TTL,
    );
    return { value: value!, entry };
  }

  async create(input: CreateProductDto): Promise<ProductDto> {
    const product = await this.saveUniqueSku(input.sku, () =>
      this.products.save(this.products.create({ description: '', status: 'active', ...input })),
    );
    await this.cache.invalidateNamespace(PRODUCT_LIST_CACHE);
    await this.cache.invalidate(PRODUCT_CACHE, String(product.id));
    return ProductDto.from(product);
  }

  async update(id: number, patch: UpdateProductDto): Promise<ProductDto> {
    if (Object.keys(patch).length > 0) {
      const result = await this.saveUniqueSku(patch.sku ?? '', () => this.products.update({ id }, patch));
      if (result.affected === 0) {
        throw new ProductNotFoundError(id);
      }
    }
    const product = await this.products.findOneBy({ id });
    if (!product) {
      throw new ProductNotFoundError(id);
    }
    await this.invalidate([id]);
    return ProductDto.from(product);
  }

  async remove(id: number): Promise<void> {
    const result = await this.products.softDelete({ id });
    if (result.affected === 0) {
      throw new ProductNotFoundError(id);
    }
    await this.invalidate([id]);
  }

  /** Drops cached reads of these products and every cached list, on every instance. */
  async invalidate(ids: number[]): Promise<void> {
    await Promise.all([
      ...ids.map((id) => this.cache.invalidate(PRODUCT_CACHE, String(id))),
      this.cache.invalidateNamespace(PRODUCT_LIST_CACHE),
    ]);
  }

  private async saveUniqueSku<T>(sku: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, 'products_sku_key')) {
        throw new SkuTakenError(sku);
      }
      throw error;
    }
  }
}
