import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AppConfig } from '../config/configuration';
import { isUniqueViolation } from '../database/transaction-runner';
import { EmailTakenError, InvalidCredentialsError, UserNotFoundError } from './auth.errors';
import { AuthUser } from '../common/auth-context/auth-user';
import { AccessTokenDto, UserDto } from './dto/auth-responses.dto';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { LoginAttempts } from './login-attempts.service';
import { hashPassword, verifyPassword } from './password';
import { TokenDenylist } from './token-denylist.service';
import { Role, UserEntity } from './user.entity';

@Injectable()
export class AuthService {
  private readonly ttlSeconds: number;
  /** Compared against when the email is unknown, so both failures take as long. */
  private readonly decoyHash = hashPassword(randomUUID());

  constructor(
    @InjectRepository(UserEntity) private readonly users: Repository<UserEntity>,
    private readonly jwt: JwtService,
    private readonly denylist: TokenDenylist,
    private readonly loginAttempts: LoginAttempts,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('auth', { infer: true }).jwtTtlSeconds;
  }

  async register(input: RegisterDto, role: Role = 'customer'): Promise<UserDto> {
    const passwordHash = await hashPassword(input.password);
    try {
      const user = await this.users.save(
        this.users.create({ email: input.email, passwordHash, name: input.name ?? null, role }),
      );
      return toUserDto(user);
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) {
        throw new EmailTakenError();
      }
      throw error;
    }
  }

  async login(input: LoginDto): Promise<AccessTokenDto> {
    await this.loginAttempts.assertAllowed(input.email);
    const user = await this.users
      .createQueryBuilder('user')
      .addSelect('user.passwordHash')
      .where('lower(user.email) = :email', { email: input.email })
      .getOne();
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !valid) {
      await this.loginAttempts.recordFailure(input.email);
      throw new InvalidCredentialsError();
    }
    await this.loginAttempts.recordSuccess(input.email);
    const accessToken = await this.jwt.signAsync(
      { sub: String(user.id), role: user.role },
      { jwtid: randomUUID(), expiresIn: this.ttlSeconds, algorithm: 'HS256' },
    );
    return { accessToken, tokenType: 'Bearer', expiresIn: this.ttlSeconds };
  }

  async logout(user: AuthUser): Promise<void> {
    await this.denylist.revoke(user.jti, user.exp * 1_000);
  }

  async me(user: AuthUser): Promise<UserDto> {
    const found = await this.users.findOneBy({ id: user.id });
    if (!found) {
      throw new UserNotFoundError();
    }
    return toUserDto(found);
  }

  /** Makes sure an admin with this email exists: created once, later starts (and other instances) find it. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const normalized = email.trim().toLowerCase();
    const existing = await this.users.findOneBy({ email: normalized });
    if (existing) {
      if (existing.role !== 'admin') {
        await this.users.update({ id: existing.id }, { role: 'admin' });
      }
      return;
    }
    try {
      await this.register({ email: normalized, password }, 'admin');
    } catch (error) {
      if (!(error instanceof EmailTakenError)) {
        throw error;
      }
    }
  }
}

function toUserDto(user: UserEntity): UserDto {
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
