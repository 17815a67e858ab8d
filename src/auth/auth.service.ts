import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { AppConfig } from '../config/configuration';
import { isUniqueViolation } from '../database/transaction-runner';
import { EmailTakenError, InvalidCredentialsError, UserNotFoundError } from './auth.errors';
import { AuthUser } from '../common/auth-context/auth-user';
import { AccessTokenDto, UserDto } from './dto/auth-responses.dto';
import { LoginDto, RegisterDto } from './dto/register.dto';
import { LoginAttempts } from './login-attempts.service';
import type { PasswordCheck } from './password';
import { normalizeEmail } from './email';
import { hashPassword } from './password';
import { PasswordHasher } from './password-hasher.service';
import { TokenDenylist } from './token-denylist.service';
import type { Role } from './user.entity';
import { type LoginRow, type UserRow, UsersRepository } from './users.repository';

@Injectable()
export class AuthService {
  private readonly ttlSeconds: number;
  /** Compared against when the email is unknown, so both failures take as long. */
  private readonly decoyHash = hashPassword(randomUUID());

  constructor(
    private readonly users: UsersRepository,
    private readonly jwt: JwtService,
    private readonly denylist: TokenDenylist,
    private readonly loginAttempts: LoginAttempts,
    private readonly hasher: PasswordHasher,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('auth', { infer: true }).jwtTtlSeconds;
  }

  /** `client` is who asks (their address): hashing is shared out fairly between clients. */
  async register(input: RegisterDto, client: string, role: Role = 'customer'): Promise<UserDto> {
    const passwordHash = await this.hasher.hash(input.password, client);
    try {
      return toUserDto(await this.users.insert({ email: input.email, passwordHash, name: input.name ?? null, role }));
    } catch (error) {
      if (isUniqueViolation(error, 'users_email_key')) {
        throw new EmailTakenError();
      }
      throw error;
    }
  }

  /**
   * Takes a login slot for the email before looking at the password (see
   * {@link LoginAttempts}); a failure keeps it, a success or a login that checked no
   * password gives it back. A stored hash of an un-normalised password is replaced by
   * its NFC form's on the first successful login.
   */
  async login(input: LoginDto, client: string): Promise<AccessTokenDto> {
    await this.loginAttempts.reserve(input.email);
    let user: LoginRow | undefined;
    let check: PasswordCheck;
    try {
      user = await this.users.findForLogin(input.email);
      check = await this.hasher.verify(input.password, user?.passwordHash ?? (await this.decoyHash), client);
    } catch (error) {
      await this.loginAttempts.release(input.email);
      throw error;
    }
    if (!user || !check.valid) {
      throw new InvalidCredentialsError();
    }
    await this.loginAttempts.release(input.email);
    if (check.rehash) {
      const passwordHash = await this.hasher.hash(input.password, client).catch(() => undefined);
      if (passwordHash) {
        await this.users.setPasswordHash(user.id, passwordHash);
      }
    }
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
    const found = await this.users.findById(user.id);
    if (!found) {
      throw new UserNotFoundError();
    }
    return toUserDto(found);
  }

  /** Makes sure an admin with this email exists: created once, later starts (and other instances) find it. */
  async ensureAdmin(email: string, password: string): Promise<void> {
    const normalized = normalizeEmail(email);
    const existing = await this.users.findByEmail(normalized);
    if (existing) {
      if (existing.role !== 'admin') {
        await this.users.setRole(existing.id, 'admin');
      }
      return;
    }
    try {
      await this.register({ email: normalized, password }, 'start-up', 'admin');
    } catch (error) {
      if (!(error instanceof EmailTakenError)) {
        throw error;
      }
    }
  }
}

function toUserDto(user: UserRow): UserDto {
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
