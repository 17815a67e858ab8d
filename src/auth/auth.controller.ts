import { Body, Controller, Get, HttpCode, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, UNAUTHENTICATED, VALIDATION_FAILED } from '../common/http/api-errors.decorator';
import type { HttpResponse } from '../common/http/http-message';
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

const LOGIN_LIMITED = {
  TOO_MANY_LOGIN_ATTEMPTS: 'Too many failed logins for this email; try again later',
  RATE_LIMITED: 'Too many requests; slow down',
};

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
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
  })
  async register(@Body() body: RegisterDto, @Res({ passthrough: true }) res: HttpResponse): Promise<UserDto> {
    const user = await this.auth.register(body);
    res.header('Location', ACCOUNT_LOCATION);
    return user;
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Log in',
    description:
      'Exchanges email and password for a bearer token (HS256 JWT). Unknown email and wrong password ' +
      'answer alike; after LOGIN_MAX_FAILURES failures for one email within 15 minutes, 429 until the window passes.',
  })
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors({
    400: VALIDATION_FAILED,
    401: { INVALID_CREDENTIALS: 'The email or password is wrong' },
    429: LOGIN_LIMITED,
  })
  login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    return this.auth.login(body);
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
