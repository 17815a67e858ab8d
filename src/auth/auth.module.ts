import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/configuration';
import { RateLimitGuard } from '../rate-limit/rate-limit.guard';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { LoginAttempts } from './login-attempts.service';
import { TokenDenylist } from './token-denylist.service';
import { UserEntity } from './user.entity';

@Module({
  imports: [
    RateLimitModule,
    TypeOrmModule.forFeature([UserEntity]),
    JwtModule.registerAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService<AppConfig, true>) => ({
        // A key object, made once: given a string, jsonwebtoken makes one on every verify.
        secret: createSecretKey(Buffer.from(config.get('auth', { infer: true }).jwtSecret)),
        signOptions: { algorithm: 'HS256' },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokenDenylist,
    LoginAttempts,
    // Order matters: identify the caller first, then count its requests.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  // For the storefront's pages, which log in and out through the same service.
  exports: [AuthService],
})
export class AuthModule implements OnApplicationBootstrap {
  constructor(
    private readonly auth: AuthService,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminEmail, adminPassword } = this.config.get('auth', { infer: true });
    if (adminEmail && adminPassword) {
      await this.auth.ensureAdmin(adminEmail, adminPassword);
    }
  }
}
