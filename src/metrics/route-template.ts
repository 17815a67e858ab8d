type RoutedRequest = { baseUrl?: string; route?: { path?: unknown } };

/**
 * The route template Express matched (`/v1/products/:id`), or `undefined` before routing
 * and for requests no route matched. Labels and log fields use it rather than the raw
 * path, so ids do not explode the metric cardinality.
 *
 * Nest mounts its middleware as a catch-all route (`{/*splat}`), so a request no
 * controller matched still has that `req.route`; no controller route has a `*`.
 */
export function routeTemplateOf(req: object): string | undefined {
  const { baseUrl, route } = req as RoutedRequest;
  const path = route ? String(route.path) : undefined;
  return path === undefined || path.includes('*') ? undefined : `${baseUrl ?? ''}${path}`;
}
