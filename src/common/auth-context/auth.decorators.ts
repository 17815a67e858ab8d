import { createParamDecorator, ExecutionContext, SetMetadata, type Type } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { RouteHandler } from '../http/http-message';
import { AuthUser, authUserOf, type Role } from './auth-user';

export const IS_PUBLIC = Symbol('IS_PUBLIC');
export const ROLES = Symbol('ROLES');

/** Opens a route (or a whole controller) to callers without a token. Everything else needs one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Whether a route is open to callers without a token (the guard's and the OpenAPI document's one reading). */
export function isPublicRoute(reflector: Reflector, handler: RouteHandler, controller: Type): boolean {
  return reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]) ?? false;
}

/** Restricts a route to callers with one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The authenticated caller of a non-public route. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser =>
  authUserOf(context.switchToHttp().getRequest<object>())!,
);

/** The caller of a public route: its user when a valid token came with the request, else undefined. */
export const Caller = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser | undefined =>
  authUserOf(context.switchToHttp().getRequest<object>()),
);
