import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { ROUTE_FACTS } from './app.factory';
import { AppModule } from './app.module';
import { loadConfiguration } from './config/configuration';
import { buildOpenApiDocument } from './http/openapi';

/**
 * Writes the OpenAPI document `/docs-json` serves to a file (default `openapi/openapi.json`),
 * without a database or a listening port: Nest's preview mode reads the routes' metadata
 * without instantiating any provider.
 *
 *   node dist/openapi-snapshot.js [file]
 */
async function main(): Promise<void> {
  // The defaults: nothing in the document depends on the environment.
  const config = loadConfiguration({});
  const app = await NestFactory.create(AppModule.forRoot(config), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  const document = buildOpenApiDocument(app, ROUTE_FACTS);
  writeFileSync(process.argv[2] ?? 'openapi/openapi.json', `${JSON.stringify(document, null, 2)}\n`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error('Could not write the OpenAPI document:', error);
  process.exit(1);
});
