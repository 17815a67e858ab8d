import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ClientAddress } from '../common/http/client-address';
import { RateLimit } from '../rate-limit/rate-limit.guard';
import { CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';
import type { AuthUser } from './auth-user';
import { AccessTokenDto, UserDto } from './dto/auth-responses.dto';
import { LoginDto, RegisterDto } from './dto/register.dto';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('auth')
  @Post('register')
  @ApiCreatedResponse({ type: UserDto, description: 'The new customer account' })
  @ApiErrors({
    400: 'VALIDATION_FAILED, MALFORMED_JSON',
    409: 'EMAIL_TAKEN',
    429: 'RATE_LIMITED (RATE_LIMIT_PER_MINUTE, or AUTH_RATE_LIMIT_PER_MINUTE per client)',
    503: 'SERVICE_BUSY (password hashing is saturated; retry after Retry-After)',
  })
  register(@Body() body: RegisterDto, @ClientAddress() client: string): Promise<UserDto> {
    return this.auth.register(body, client);
  }

  @Public()
  @RateLimit('auth')
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'INVALID_CREDENTIALS (unknown email and wrong password alike)',
    429: 'TOO_MANY_LOGIN_ATTEMPTS (LOGIN_MAX_FAILURES failed logins for this email within 15 min; the right password too), RATE_LIMITED (AUTH_RATE_LIMIT_PER_MINUTE per client)',
    503: 'SERVICE_BUSY (password hashing is saturated), LOGIN_UNAVAILABLE (Redis, which keeps the lockout, does not answer); retry after Retry-After',
  })
  login(@Body() body: LoginDto, @ClientAddress() client: string): Promise<AccessTokenDto> {
    return this.auth.login(body, client);
  }

  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'The token is revoked until it expires' })
  @ApiErrors({ 401: 'UNAUTHENTICATED' })
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }

  @ApiBearerAuth()
  @Get('me')
  @ApiOkResponse({ type: UserDto })
  @ApiErrors({ 401: 'UNAUTHENTICATED' })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user);
  }
}
