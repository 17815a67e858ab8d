import { readViewSources, Views } from './views';

describe('Views', () => {
  const sources = new Map([
    ['layout', '<main><%= it.title %>|<%~ it.body %></main>'],
    ['partials/line', '<li><%= it.name %> <%= it.price(it.cents) %></li>'],
    [
      'page',
      "<% layout('@layout', { title: 'T<1>' }) %><ul><%~ include('@partials/line', { ...it, name: it.name }) %></ul>",
    ],
  ]);

  it('renders a page inside its layout with its partials, escaping by default', () => {
    const views = new Views(sources);
    expect(views.render('page', { name: '<img src=x onerror=alert(1)>', cents: 19900 })).toBe(
      '<main>T&lt;1&gt;|<ul><li>&lt;img src=x onerror=alert(1)&gt; ¥199.00</li></ul></main>',
    );
  });

  it('compiles each template once, when built, and never while rendering', () => {
    const views = new Views(sources);
    expect(views.compilations).toBe(3);
    for (let i = 0; i < 5; i++) {
      views.render('page', { name: `n${i}`, cents: i });
    }
    expect(views.compilations).toBe(3);
  });

  it('knows only the templates it was built with: an unknown name is an error, not a file read', () => {
    const views = new Views(sources);
    expect(() => views.render('../../package.json', {})).toThrow(/Failed to get template/);
    expect(views.compilations).toBe(3);
  });

  it('reads every template of the storefront, partials included', () => {
    const names = [...readViewSources().keys()].sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'cart',
        'catalog',
        'error',
        'layout',
        'login',
        'order',
        'orders',
        'partials/pager',
        'product',
        'register',
      ]),
    );
    const views = new Views(readViewSources());
    expect(views.compilations).toBe(names.length);
  });
});
