import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Swagger UI at `/docs`, the OpenAPI 3 document at `/docs-json`. */
export function setUpOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Mall service')
    .setDescription(
      [
        'Online-mall backend: products, cart, orders and auth.',
        '',
        'Money is an integer number of minor units (fen / cents). Every error has the body',
        '`{statusCode, error, code, message, requestId}` (validation errors add `details`).',
        'Every response carries `X-Request-Id`. Log in with `POST /v1/auth/login` and press',
        '**Authorize** with the `accessToken` to try the protected routes.',
      ].join('\n'),
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
