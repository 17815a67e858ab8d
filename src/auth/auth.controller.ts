import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { CurrentUser, Public } from '../common/auth-context/auth.decorators';
import { AuthService } from './auth.service';
import type { AuthUser } from '../common/auth-context/auth-user';
import { AccessTokenDto, UserDto } from './dto/auth-responses.dto';
import { LoginDto, RegisterDto } from './dto/register.dto';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('register')
  @ApiCreatedResponse({ type: UserDto, description: 'The new customer account' })
  @ApiErrors({ 400: 'VALIDATION_FAILED, MALFORMED_JSON', 409: 'EMAIL_TAKEN', 429: 'RATE_LIMITED' })
  register(@Body() body: RegisterDto): Promise<UserDto> {
    return this.auth.register(body);
  }

  @Public()
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: AccessTokenDto })
  @ApiErrors({
    400: 'VALIDATION_FAILED',
    401: 'INVALID_CREDENTIALS (unknown email and wrong password alike)',
    429: 'TOO_MANY_LOGIN_ATTEMPTS, RATE_LIMITED',
  })
  login(@Body() body: LoginDto): Promise<AccessTokenDto> {
    return this.auth.login(body);
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
