import { Module, RequestMethod } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/configuration';
import { TracingModule } from '../tracing/tracing.module';
import { tracingEnabled } from '../tracing/tracing';
import { httpLogOptions } from './http-log-options';
import { logStream } from './log-stream';

/**
 * Structured logs (see {@link httpLogOptions}) on a bounded stdout stream ({@link logStream}). Traces are the other half of the
 * same telemetry, so their shutdown flush is wired in here as well.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        pinoHttp: [httpLogOptions(config.get('app', { infer: true }).logLevel, tracingEnabled()), logStream()],
        // Every path: lines logged outside the routes this names lack their request id.
        forRoutes: [{ path: '/{*path}', method: RequestMethod.ALL }],
      }),
    }),
    TracingModule,
  ],
})
export class LoggingModule {}
