import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/configuration';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { DEMO_CATALOG } from './demo-catalog';
import { ProductEntity } from './product.entity';
import { ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  imports: [TypeOrmModule.forFeature([ProductEntity]), RateLimitModule],
  controllers: [ProductsController],
  providers: [ProductsService],
  exports: [ProductsService],
})
export class ProductsModule implements OnApplicationBootstrap {
  constructor(
    @InjectRepository(ProductEntity) private readonly products: Repository<ProductEntity>,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  /** With `SEED_DEMO`, an empty catalog gets the demo products (skus make a rerun a no-op). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.get('app', { infer: true }).seedDemo || (await this.products.exists())) {
      return;
    }
    await this.products.createQueryBuilder().insert().values(DEMO_CATALOG).orIgnore().execute();
    new Logger('Products').log(`Seeded the demo catalog (${DEMO_CATALOG.length} products)`);
  }
}
