import { PinoLogger } from 'nestjs-pino';
import { ProductsService } from '../src/products/products.service';
import { ProductNotFoundError } from '../src/products/products.errors';
import { closeSuite, openSuite, TestApp, TestWorld } from './support/test-app';

/** Lines logged while a request is handled carry its request id. */
describe('Request-scoped logs', () => {
  let world: TestWorld;
  let t: TestApp;

  beforeAll(async () => ({ world, t } = await openSuite()));
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => closeSuite({ world, t }));

  it('log through a logger bound to the request id', async () => {
    const logger = await t.app.resolve(PinoLogger);
    let bindings: Record<string, unknown> | undefined;
    jest.spyOn(ProductsService.prototype, 'findOne').mockImplementation(async (id: number) => {
      bindings = logger.logger.bindings();
      throw new ProductNotFoundError(id);
    });
    await t.http.get('/v1/products/424242').set('X-Request-Id', 'scoped-line-1').expect(404);
    expect(bindings).toMatchObject({ requestId: 'scoped-line-1' });
  });
});
