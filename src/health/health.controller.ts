import { Controller, Get } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { DependencyStatusDto, LiveDto, ReadyDto } from './health.dto';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@ApiExtraModels(DependencyStatusDto)
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
  @ApiOperation({
    summary: 'Liveness',
    description: '200 while the process runs; touches no dependency. Not rate-limited.',
  })
  @ApiOkResponse({ type: LiveDto, description: 'The process runs' })
  live(): LiveDto {
    return { status: 'ok' };
  }

  @Get('ready')
  // Terminus's own OpenAPI answers describe its result, not the 503 this route answers.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @ApiOperation({
    summary: 'Readiness',
    description:
      '200 when the database (and Redis / NATS where configured) answer; else 503 NOT_READY, whose message ' +
      'names what is down. Not rate-limited.',
  })
  @ApiOkResponse({ type: ReadyDto, description: 'Every dependency answers' })
  @ApiErrors({ 503: { NOT_READY: 'Not ready: redis: Connection is closed.' } })
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
