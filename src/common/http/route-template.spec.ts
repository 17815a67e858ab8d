import { recordRouteTemplate, routeTemplateOf } from './route-template';

describe('routeTemplateOf', () => {
  it('joins the mount path and the matched route template', () => {
    expect(routeTemplateOf({ baseUrl: '', route: { path: '/v1/products/:id' } })).toBe('/v1/products/:id');
    expect(routeTemplateOf({ baseUrl: '/v1', route: { path: '/orders' } })).toBe('/v1/orders');
  });

  it('has no template before routing or when only the middleware catch-all matched', () => {
    expect(routeTemplateOf({})).toBeUndefined();
    expect(routeTemplateOf({ baseUrl: '', route: { path: '{/*splat}' } })).toBeUndefined();
  });
});

describe('recordRouteTemplate', () => {
  it('keeps the template on the node request, found also through a wrapping request', () => {
    const raw = {};
    recordRouteTemplate(raw, '/v1/orders/:id');
    expect(routeTemplateOf(raw)).toBe('/v1/orders/:id');
    expect(routeTemplateOf({ raw })).toBe('/v1/orders/:id');
  });

  it('records nothing for an unmatched request', () => {
    const raw = {};
    recordRouteTemplate(raw, undefined);
    expect(routeTemplateOf({ raw })).toBeUndefined();
  });
});
