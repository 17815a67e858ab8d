import { Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { createSecretKey } from 'node:crypto';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/configuration';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { CLOCK, KnownUsers, systemClock } from './known-users.service';
import { LoginAttempts } from './login-attempts.service';
import { PasswordHasher } from './password-hasher.service';
import { TokenDenylist } from './token-denylist.service';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

@Module({
  imports: [
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
  // AuthGuard runs on every route: app.module.ts registers it, with the other global guards.
  providers: [
    AuthService,
    TokenDenylist,
    LoginAttempts,
    PasswordHasher,
    KnownUsers,
    UsersRepository,
    { provide: CLOCK, useValue: systemClock },
    AuthGuard,
  ],
  // AuthService for the storefront's pages, which log in and out through the same service.
  exports: [AuthService, AuthGuard],
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
