type RoutedRequest = { baseUrl?: string; route?: { path?: unknown } };

const ROUTE_TEMPLATE = Symbol('routeTemplate');
type WithTemplate = { [ROUTE_TEMPLATE]?: string };

/**
 * Keeps the template of the route that would have matched, for a request answered before
 * the framework routed it (the response cache's repeats).
 */
export function recordRouteTemplate(req: object, template: string | undefined): void {
  if (template !== undefined) {
    (req as WithTemplate)[ROUTE_TEMPLATE] = template;
  }
}

/**
 * The route template that matched (`/v1/products/:id`), or `undefined` before routing
 * and for requests no route matched. Labels and log fields use it rather than the raw
 * path, so ids do not explode the metric cardinality.
 *
 * It is what {@link recordRouteTemplate} kept, or else read off the request Express
 * routed. Nest mounts its middleware as a catch-all route (`{/*splat}`), so a request no
 * controller matched still has that `req.route`; no controller route has a `*`.
 */
export function routeTemplateOf(req: object): string | undefined {
  const recorded = (req as WithTemplate)[ROUTE_TEMPLATE];
  if (recorded !== undefined) {
    return recorded;
  }
  const { baseUrl, route } = req as RoutedRequest;
  const path = route ? String(route.path) : undefined;
  return path === undefined || path.includes('*') ? undefined : `${baseUrl ?? ''}${path}`;
}
