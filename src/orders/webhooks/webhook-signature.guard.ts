import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../../common/errors/domain-error';
import type { HttpRequest } from '../../common/http/http-message';
import { AppConfig } from '../../config/configuration';

export class InvalidSignatureError extends DomainError {
  constructor() {
    super(401, 'INVALID_SIGNATURE', 'X-Signature is missing or does not match the body');
  }
}

/** `sha256=<hex HMAC-SHA256 of body, keyed with secret>` */
export function signWebhook(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Admits a webhook only when `X-Signature` is the HMAC-SHA256 of its raw body under
 * `WEBHOOK_SECRET`, compared in constant time.
 */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  private readonly secret: string;

  constructor(config: ConfigService<AppConfig, true>) {
    this.secret = config.get('orders', { infer: true }).webhookSecret;
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<HttpRequest>();
    const given = req.headers['x-signature'];
    if (typeof given !== 'string' || !req.rawBody) {
      throw new InvalidSignatureError();
    }
    const expected = Buffer.from(signWebhook(req.rawBody, this.secret));
    const actual = Buffer.from(given);
    if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
      throw new InvalidSignatureError();
    }
    return true;
  }
}
