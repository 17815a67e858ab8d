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
  it('keeps the template on the request', () => {
    const req = {};
    recordRouteTemplate(req, '/v1/orders/:id');
    expect(routeTemplateOf(req)).toBe('/v1/orders/:id');
  });

  it('records nothing for an unmatched request', () => {
    const req = {};
    recordRouteTemplate(req, undefined);
    expect(routeTemplateOf(req)).toBeUndefined();
  });
});
