import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { AuthUser, authUserOf, type Role } from './auth-user';

export const IS_PUBLIC = Symbol('IS_PUBLIC');
export const ROLES = Symbol('ROLES');

/** Opens a route (or a whole controller) to callers without a token. Everything else needs one. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Restricts a route to callers with one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES, roles);

/** The authenticated caller of a non-public route. */
export const CurrentUser = createParamDecorator((_: unknown, context: ExecutionContext): AuthUser =>
  authUserOf(context.switchToHttp().getRequest<object>())!,
);
