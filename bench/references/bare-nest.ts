import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadFixture, PORT } from './fixture.js';

/**
 * The framework floor: NestJS 12 on its default Express adapter, nothing configured, one
 * controller answering the same JSON as the service (Express serializes it per request).
 */
const { product, list } = loadFixture();

@Controller('v1/products')
class ProductsController {
  @Get()
  list(): unknown {
    return list;
  }

  @Get(':id')
  findOne(): unknown {
    return product;
  }
}

@Module({ controllers: [ProductsController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BareModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks(['SIGTERM'], { useProcessExit: true });
  await app.listen(PORT, '0.0.0.0');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
