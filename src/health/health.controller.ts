import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorFunction,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ServiceUnavailableError } from '../common/errors/domain-error';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { Public } from '../common/auth-context/auth.decorators';
import { AppConfig } from '../config/configuration';
import { NatsHealthIndicator } from '../messaging/nats.health';
import { SkipRateLimit } from '../rate-limit/rate-limit.guard';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly nats: NatsHealthIndicator,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  @Get('live')
  @ApiOkResponse({ description: 'The process runs', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOkResponse({
    description: 'Every dependency answers',
    schema: { example: { status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } } },
  })
  @ApiErrors({ 503: 'NOT_READY (the message names what is down, e.g. "redis: Connection is closed.")' })
  async ready(): Promise<HealthCheckResult> {
    const checks: HealthIndicatorFunction[] = [() => this.database.pingCheck('database', { timeout: 2_000 })];
    if (this.config.get('redis', { infer: true }).url) {
      checks.push(() => this.redis.check('redis'));
    }
    if (this.config.get('nats', { infer: true }).url) {
      checks.push(() => this.nats.check('nats'));
    }
    try {
      return await this.health.check(checks);
    } catch (error) {
      throw new NotReadyError(downDependencies(error));
    }
  }
}

class NotReadyError extends ServiceUnavailableError {
  constructor(down: string[]) {
    super('NOT_READY', `Not ready: ${down.join('; ')}`);
  }
}

/** Terminus rejects with the whole result; keep "name: reason" for each failed check. */
function downDependencies(error: unknown): string[] {
  const result = (error as { response?: Partial<HealthCheckResult> }).response;
  const failed = Object.entries(result?.error ?? {});
  if (failed.length === 0) {
    return [(error as Error).message];
  }
  return failed.map(([name, detail]) => `${name}: ${String(detail?.message ?? detail?.status ?? 'down')}`);
}
