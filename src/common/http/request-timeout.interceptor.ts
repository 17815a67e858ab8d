import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { catchError, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import { AppConfig } from '../../config/configuration';
import { ServiceUnavailableError } from '../errors/domain-error';

/** Answers 503 `REQUEST_TIMEOUT` when a handler runs longer than `REQUEST_TIMEOUT_MS`. */
@Injectable()
export class RequestTimeoutInterceptor implements NestInterceptor {
  private readonly timeoutMs: number;

  constructor(config: ConfigService<AppConfig, true>) {
    this.timeoutMs = config.get('http', { infer: true }).requestTimeoutMs;
  }

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      timeout(this.timeoutMs),
      catchError((error: unknown) =>
        throwError(() =>
          error instanceof TimeoutError
            ? new ServiceUnavailableError('REQUEST_TIMEOUT', `The request took longer than ${this.timeoutMs} ms`)
            : error,
        ),
      ),
    );
  }
}
