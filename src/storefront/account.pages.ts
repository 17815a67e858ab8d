import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InvalidCredentialsError, EmailTakenError } from '../auth/auth.errors';
import { AuthService } from '../auth/auth.service';
import { LoginDto, RegisterDto } from '../auth/dto/register.dto';
import { clientAddressOf } from '../common/http/client-address';
import type { HttpRequest, HttpResponse } from '../common/http/http-message';
import type { AppConfig } from '../config/configuration';
import { RateLimit } from '../rate-limit/rate-limit.guard';
import { clearedSessionCookie, sessionCookie } from './browser-cookies';
import { Form } from './form-fields.pipe';
import { localPath } from './local-path';
import { appendSetCookie, page, seeOther } from './responses';
import { Shop, type ShopContext } from './shop-context';
import { StorefrontPages } from './storefront-pages.decorator';
import { Views } from './views';

/** Where registering and logging out end. */
const HOME = localPath('/');

/** Log in, register and log out, through `AuthService` as `/v1/auth/*` does; the token goes into the session cookie. */
@StorefrontPages()
@Controller()
export class AccountPages {
  private readonly ttlSeconds: number;

  constructor(
    private readonly auth: AuthService,
    @Inject(Views) private readonly views: Views,
    config: ConfigService<AppConfig, true>,
  ) {
    this.ttlSeconds = config.get('auth', { infer: true }).jwtTtlSeconds;
  }

  @Get('login')
  loginPage(
    @Shop() shop: ShopContext,
    @Query('next') next: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): string {
    return page(res, this.views.render('login', { shop, next: localPath(next), email: '' }));
  }

  // The same per-client budget as POST /v1/auth/login: a form is no way around it.
  @RateLimit('auth')
  @Post('login')
  async login(
    @Shop() shop: ShopContext,
    @Query('next') next: string | undefined,
    @Body(Form(LoginDto)) body: Readonly<LoginDto>,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    try {
      await this.signIn(req, res, body);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) {
        const html = this.views.render('login', {
          shop,
          next: localPath(next),
          email: body.email,
          problem: error.message,
        });
        return page(res, html, 401);
      }
      throw error;
    }
    return seeOther(res, localPath(next));
  }

  @Get('register')
  registerPage(@Shop() shop: ShopContext, @Res({ passthrough: true }) res: HttpResponse): string {
    return page(res, this.views.render('register', { shop, email: '', name: '' }));
  }

  @RateLimit('auth')
  @Post('register')
  async register(
    @Shop() shop: ShopContext,
    @Body(Form(RegisterDto)) body: Readonly<RegisterDto>,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    try {
      await this.auth.register(body, clientAddressOf(req));
    } catch (error) {
      if (error instanceof EmailTakenError) {
        const html = this.views.render('register', {
          shop,
          email: body.email,
          name: body.name ?? '',
          problem: error.message,
        });
        return page(res, html, 409);
      }
      throw error;
    }
    await this.signIn(req, res, body);
    return seeOther(res, HOME);
  }

  /** Revokes the session's token as `POST /v1/auth/logout` does, and drops the cookie. */
  @Post('logout')
  async logout(
    @Shop() shop: ShopContext,
    @Req() req: HttpRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<string> {
    if (shop.user) {
      await this.auth.logout(shop.user);
    }
    appendSetCookie(res, clearedSessionCookie(req));
    return seeOther(res, HOME);
  }

  private async signIn(req: HttpRequest, res: HttpResponse, credentials: LoginDto): Promise<void> {
    const { accessToken } = await this.auth.login(credentials, clientAddressOf(req));
    appendSetCookie(res, sessionCookie(req, accessToken, this.ttlSeconds));
  }
}
