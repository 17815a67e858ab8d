import { buildConfiguration } from './configuration';
import { validateEnvironment } from './environment';

const configure = (raw: Record<string, string>) => buildConfiguration(validateEnvironment(raw));

describe('buildConfiguration', () => {
  it('seeds the demo catalogue on the embedded database by default', () => {
    const config = configure({});
    expect(config.database.embedded).toBe(true);
    expect(config.app.seedDemo).toBe(true);
  });

  it('does not seed by default with an external DATABASE_URL', () => {
    const config = configure({ DATABASE_URL: 'postgres://db:5432/mall' });
    expect(config.database.embedded).toBe(false);
    expect(config.app.seedDemo).toBe(false);
  });

  it('lets SEED_DEMO override the default either way', () => {
    expect(configure({ SEED_DEMO: 'false' }).app.seedDemo).toBe(false);
    expect(configure({ SEED_DEMO: 'true', DATABASE_URL: 'postgres://db/mall' }).app.seedDemo).toBe(true);
  });

  it('splits CORS_ORIGINS into a list, empty (CORS off) when unset', () => {
    expect(configure({}).http.corsOrigins).toEqual([]);
    expect(configure({ CORS_ORIGINS: 'https://a.example.com , http://localhost:3000' }).http.corsOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:3000',
    ]);
  });

  it('carries the validated values into their groups', () => {
    const config = configure({ PORT: '3000', JWT_SECRET: 'k'.repeat(32), JWT_TTL: '120' });
    expect(config.http.port).toBe(3000);
    expect(config.auth.jwtSecret).toBe('k'.repeat(32));
    expect(config.auth.jwtTtlSeconds).toBe(120);
  });
});
