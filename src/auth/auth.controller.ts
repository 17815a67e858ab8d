import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UNAUTHENTICATED, VALIDATION_FAILED } from '../common/http/api-errors.decorator';
import type { HttpResponse } from '../common/http/http-message';
import { ClientAddress } from '../common/http/client-address';
import { RateLimit } from '../rate-limit/rate-limit.guard';
import { CurrentUser, Public } from '../common/auth-context/auth.decorators';
import { AuthService } from './auth.service';
import type { AuthUser } from '../common/auth-context/auth-user';
import { AccessTokenDto, UserDto } from './dto/auth-responses.dto';
import { LoginDto, RegisterDto } from './dto/register.dto';

/**
 * Where a new account can be read. Users have no path of their own: an account reads
 * itself at `/v1/auth/me` once logged in, so that is the resource register creates.
 */
export const ACCOUNT_LOCATION = '/v1/auth/me';

/** Password hashing is bounded per client and overall (`PasswordHasher`): past that, 503 at once. */
const HASHING_BUSY = { SERVICE_BUSY: 'Too many logins and registrations are waiting; try again shortly' };

const LOGIN_LIMITED = {
  TOO_MANY_LOGIN_ATTEMPTS: 'Too many failed logins for this email; try again later',
  RATE_LIMITED: 'Too many requests; slow down',
};

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @RateLimit('auth')
  @Post('register')
  @ApiOperation({
    summary: 'Register a customer account',
    description:
      'Creates a customer (emails are unique after NFC normalisation and case folding). ' +
      '`Location` is `/v1/auth/me`, where the account reads itself once logged in.',
  })
  @ApiCreatedResponse({ type: UserDto, description: 'The new customer account' })
  @ApiErrors({
    400: VALIDATION_FAILED,
    409: { EMAIL_TAKEN: 'An account with this email already exists' },
    429: { RATE_LIMITED: 'Too many requests; slow down' },
    503: HASHING_BUSY,
  })
  async register(
    @Body() body: RegisterDto,
    @ClientAddress() client: string,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<UserDto> {
    const user = await this.auth.register(body, client);
    res.header('Location', ACCOUNT_LOCATION);
    return user;
  }

  @Public()
  @RateLimit('auth')
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in',
    description:
      'Exchanges email and password for a bearer token (HS256 JWT). Unknown email and wrong password ' +
      'answer alike; after LOGIN_MAX_FAILURES failures for one email within 15 minutes, 429 until the window passes ' +
      '(the right password too; at most LOGIN_MAX_FAILURES passwords are checked per email per window, also when ' +
      'attempts arrive at once). AUTH_RATE_LIMIT_PER_MINUTE per client applies to login and register.',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors({
    400: VALIDATION_FAILED,
    401: { INVALID_CREDENTIALS: 'The email or password is wrong' },
    429: LOGIN_LIMITED,
    503: { ...HASHING_BUSY, LOGIN_UNAVAILABLE: 'Logins are unavailable for a moment; try again shortly' },
  })
  login(@Body() body: LoginDto, @ClientAddress() client: string): Promise<AccessTokenDto> {
    return this.auth.login(body, client);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Log out', description: 'Revokes the presented token until it expires, on every instance.' })
  @ApiNoContentResponse({ description: 'The token is revoked until it expires' })
  @ApiErrors({ 401: UNAUTHENTICATED })
  logout(@CurrentUser() user: AuthUser): Promise<void> {
    return this.auth.logout(user);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller’s account', description: 'The account the bearer token belongs to.' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors({ 401: UNAUTHENTICATED })
  me(@CurrentUser() user: AuthUser): Promise<UserDto> {
    return this.auth.me(user);
  }
}
