import { Eta } from 'eta';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { VIEW_HELPERS } from './view-helpers';

/** Where the templates are: beside this file, in the sources and in `dist` alike (nest-cli.json copies them). */
export const VIEWS_DIR = join(__dirname, 'views');

/** Template name (its path under `views/` without `.eta`, e.g. `partials/pager`) → source text. */
export type ViewSources = ReadonlyMap<string, string>;

/** Reads every `.eta` file under `dir`; done once, at start-up. */
export function readViewSources(dir = VIEWS_DIR): ViewSources {
  const sources = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.eta')) {
      const path = join(entry.parentPath, entry.name);
      const name = relative(dir, path).split(sep).join('/').slice(0, -'.eta'.length);
      sources.set(name, readFileSync(path, 'utf8'));
    }
  }
  return sources;
}

/**
 * The storefront's templates (Eta), compiled to functions once, when this is built; a
 * render only runs them. Templates name each other (`layout('@layout')`,
 * `include('@partials/pager', …)`) from the compiled set, never from disk. `<%= %>`
 * escapes; the layout's `<%~ it.body %>` is the one raw output (HTML this made itself).
 *
 * @example
 * const html = views.render('product', { product, shop });
 */
export class Views {
  private readonly eta = new Eta({ autoEscape: true, cache: true, autoTrim: [false, 'nl'] });
  private compiled = 0;

  constructor(sources: ViewSources = readViewSources()) {
    // Counted at the engine, so a compile anywhere (ours or Eta's own) shows up.
    const compile = this.eta.compile.bind(this.eta);
    this.eta.compile = (...args: Parameters<typeof compile>) => {
      this.compiled += 1;
      return compile(...args);
    };
    for (const [name, source] of sources) {
      this.eta.loadTemplate(`@${name}`, source);
    }
  }

  /** How many templates this instance has compiled: all of them at start-up, none after. */
  get compilations(): number {
    return this.compiled;
  }

  render(view: string, data: object): string {
    return this.eta.render(`@${view}`, { ...VIEW_HELPERS, ...data });
  }
}
