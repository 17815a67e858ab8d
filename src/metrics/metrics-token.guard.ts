import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError } from '../common/errors/domain-error';
import type { HttpRequest } from '../common/http/http-message';
import { AppConfig } from '../config/configuration';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * With `METRICS_TOKEN` set, a scrape must say `Authorization: Bearer <METRICS_TOKEN>`;
 * anything else is the contract's 401. Both sides are hashed first, so the comparison
 * takes the same time whatever the length or content of a wrong guess.
 */
@Injectable()
export class MetricsTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(config: ConfigService<AppConfig, true>) {
    const token = config.get('http', { infer: true }).metricsToken;
    this.expected = token === undefined ? undefined : digest(token);
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) {
      return true;
    }
    const header = context.switchToHttp().getRequest<HttpRequest>().headers.authorization ?? '';
    const [scheme, token = ''] = header.split(' ');
    if (!timingSafeEqual(digest(token), this.expected) || scheme.toLowerCase() !== 'bearer') {
      throw new UnauthenticatedError('/metrics needs Authorization: Bearer <METRICS_TOKEN>');
    }
    return true;
  }
}
