import { isSluiceError } from '@sluice/sdk';
import { ConfigError, loadConfig } from '@sluice/server';
import { afterAll, describe, expect, it } from 'vitest';
import { tempProject } from '../fixtures.js';

const projects: { remove(): void }[] = [];
afterAll(() => {
  for (const p of projects) p.remove();
});

function project(files: Record<string, string>) {
  const p = tempProject('config');
  projects.push(p);
  for (const [path, text] of Object.entries(files)) p.write(path, text);
  return p;
}

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const CONFIG = `app_settings:
  app_type: "example"
  app_name: "My Workflow Connector"
  app_description: "A simple workflow connector"
  sentry_dsn: ""
  cors_origins: ["*"]
  routes_directory: "routes"
  debug: true
  host: "0.0.0.0"
  port: 2005
`;

describe('loadConfig', () => {
  it('uses the defaults when there is no config file', () => {
    const p = project({});
    const config = loadConfig({ cwd: p.dir, env: {} });
    expect(config.settings).toMatchObject({
      port: 2005,
      host: '127.0.0.1',
      routes_directory: 'routes',
      cors_origins: [],
      sentry_dsn: null,
      log_level: 'silent',
    });
    expect(config.environment).toBe('dev');
    expect(config.configFile).toBeUndefined();
    expect(config.sources.port).toBe('default');
  });

  it('reads app_settings of app_config.yaml (the seed file), and freezes the result', () => {
    const p = project({ 'app_config.yaml': CONFIG });
    const config = loadConfig({ cwd: p.dir, env: {} });
    expect(config.settings).toMatchObject({
      app_name: 'My Workflow Connector',
      cors_origins: ['*'],
      host: '0.0.0.0',
      debug: true,
      log_level: 'debug',
    });
    expect(config.sources.port).toMatch(/(^|\/)app_config\.yaml line 10$/);
    expect(Object.isFrozen(config.settings)).toBe(true);
    expect(Object.isFrozen(config.settings.cors_origins)).toBe(true);
    expect(() => {
      (config.settings as { port: number }).port = 1;
    }).toThrow();
  });

  it('lets .env override the file, SLUICE_* variables override .env, and options override all', () => {
    const p = project({
      'app_config.yaml': CONFIG,
      '.env': '# local\nSLUICE_PORT=3000\nSLUICE_HOST=127.0.0.2\nENVIRONMENT=stage\nOTHER_SECRET=ignored\n',
    });
    const fromEnvFile = loadConfig({ cwd: p.dir, env: {} });
    expect([fromEnvFile.settings.port, fromEnvFile.settings.host, fromEnvFile.environment]).toEqual([
      3000,
      '127.0.0.2',
      'stage',
    ]);
    expect(fromEnvFile.sources.port).toMatch(/(^|\/)\.env line 2$/);

    const fromVariables = loadConfig({
      cwd: p.dir,
      env: {
        SLUICE_PORT: '4000',
        ENVIRONMENT: 'prod',
        SLUICE_CORS_ORIGINS: 'https://a.example, https://b.example',
      },
    });
    expect([fromVariables.settings.port, fromVariables.settings.host, fromVariables.environment]).toEqual([
      4000,
      '127.0.0.2',
      'prod',
    ]);
    expect(fromVariables.settings.cors_origins).toEqual(['https://a.example', 'https://b.example']);
    expect(fromVariables.sources.port).toBe('SLUICE_PORT');

    const fromOptions = loadConfig({ cwd: p.dir, env: { SLUICE_PORT: '4000' }, settings: { port: 0 } });
    expect(fromOptions.settings.port).toBe(0);
    expect(fromOptions.sources.port).toBe('options');
  });

  it('warns about an unknown setting, naming the key, file and line, and suggests the right one', () => {
    const p = project({ 'app_config.yaml': 'app_settings:\n  app_name: x\n  prot: 2005\n' });
    const config = loadConfig({ cwd: p.dir, env: {} });
    expect(config.settings.port).toBe(2005);
    expect(config.warnings).toHaveLength(1);
    expect(config.warnings[0]).toMatchObject({ key: 'app_settings.prot', line: 3 });
    expect(config.warnings[0]?.message).toBe(
      'line 3: app_settings.prot is not a setting (did you mean port?); it is ignored',
    );
  });

  it('warns about an unknown top-level key', () => {
    const p = project({ 'app_config.yaml': 'app_settings: {}\napp_setings:\n  port: 1\nport: 3\n' });
    const config = loadConfig({ cwd: p.dir, env: {} });
    expect(config.settings.port).toBe(2005);
    expect(config.warnings.map((w) => w.message)).toEqual([
      'line 2: app_setings is not a section (did you mean app_settings?); it is ignored',
      'line 4: port is not a section (did you mean app_settings.port?); it is ignored',
    ]);
  });

  it('reads local_development_settings over app_settings, and the keys workflows-cdk reads', () => {
    const p = project({
      'app_config.yaml': [
        'app_settings:',
        '  app_type: acme',
        '  app_icon_svg_url: https://example.com/icon.svg',
        '  routes_directory_path: src/modules',
        '  automatically_register_schema_routes: true',
        '  sentry_dsn: ""',
        '  port: 9000',
        'local_development_settings:',
        '  port: 2003',
        '  cors_origins: ["*"]',
        '  debug: true',
        '',
      ].join('\n'),
    });
    const config = loadConfig({ cwd: p.dir, env: {} });
    expect(config.warnings).toEqual([]);
    expect(config.settings).toMatchObject({
      app_type: 'acme',
      app_icon_svg_url: 'https://example.com/icon.svg',
      routes_directory: 'src/modules',
      port: 2003,
      cors_origins: ['*'],
      debug: true,
    });
    expect(config.sources.port).toMatch(/app_config\.yaml line 9$/);
  });

  it('maps ENVIRONMENT production, staging and development, in any case; empty is dev', () => {
    const p = project({});
    const of = (value: string) => loadConfig({ cwd: p.dir, env: { ENVIRONMENT: value } }).environment;
    expect(['production', 'STAGING', 'Development', '', 'prod', 'stage', 'dev'].map(of)).toEqual([
      'prod',
      'stage',
      'dev',
      'dev',
      'prod',
      'stage',
      'dev',
    ]);
  });

  it('names the line of a value of the wrong type, and what is accepted', () => {
    const p = project({
      'app_config.yaml': 'app_settings:\n  debug: true\n  port: "twenty"\n  cors_origins: [1]\n',
    });
    const err = failure(() => loadConfig({ cwd: p.dir, env: {} }));
    expect(err.code).toBe('SLUICE_CONFIG_INVALID');
    expect(err.message).toContain(
      'line 3: app_settings.port must be an integer from 0 to 65535 (got "twenty")',
    );
    expect(err.message).toContain('line 4: app_settings.cors_origins must be a list of origins');
  });

  it('names the line of a YAML syntax error', () => {
    const p = project({ 'app_config.yaml': 'app_settings:\n  port: 1\n   host: x\n' });
    const err = failure(() => loadConfig({ cwd: p.dir, env: {} }));
    expect(err.code).toBe('SLUICE_CONFIG_PARSE');
    expect(err.message).toMatch(/(^|\/)app_config\.yaml line 2: not valid YAML: /);
    expect(err.line).toBe(2);
  });

  it('rejects a typo in .env with its line, but ignores unknown SLUICE_* variables of the process', () => {
    const p = project({ '.env': 'SLUICE_PORT=1\nSLUICE_PROT=2\n' });
    const err = failure(() => loadConfig({ cwd: p.dir, env: {} }));
    expect(err.code).toBe('SLUICE_CONFIG_UNKNOWN_KEY');
    expect(err.message).toMatch(
      /(^|\/)\.env: line 2: SLUICE_PROT is not a setting \(did you mean SLUICE_PORT\?\)$/,
    );
    const q = project({});
    expect(loadConfig({ cwd: q.dir, env: { SLUICE_SECRET_KEY: 'engine setting' } }).settings.port).toBe(2005);
  });

  it('rejects a variable that does not convert, naming it', () => {
    const p = project({});
    const err = failure(() => loadConfig({ cwd: p.dir, env: { SLUICE_PORT: 'eighty' } }));
    expect([err.code, err.message]).toEqual([
      'SLUICE_CONFIG_INVALID',
      'environment: SLUICE_PORT must be an integer from 0 to 65535 (got "eighty")',
    ]);
    const range = failure(() => loadConfig({ cwd: p.dir, env: { SLUICE_PORT: '70000' } }));
    expect(range.message).toContain('SLUICE_PORT must be an integer from 0 to 65535 (got 70000)');
    const env = failure(() => loadConfig({ cwd: p.dir, env: { ENVIRONMENT: 'qa' } }));
    expect(env.message).toContain(
      'ENVIRONMENT must be one of dev, stage, prod or production, staging, development',
    );
  });

  it('rejects an unknown option', () => {
    const p = project({});
    const err = failure(() => loadConfig({ cwd: p.dir, env: {}, settings: { prot: 1 } as never }));
    expect(err.code).toBe('SLUICE_CONFIG_UNKNOWN_KEY');
    expect(err.message).toBe('router options: app_settings.prot is not a setting (did you mean port?)');
  });

  it('does not print a malformed sentry_dsn', () => {
    const p = project({ 'app_config.yaml': 'app_settings:\n  sentry_dsn: "not-a-dsn-secret"\n' });
    const err = failure(() => loadConfig({ cwd: p.dir, env: {} }));
    expect(err.message).not.toContain('not-a-dsn-secret');
    expect(isSluiceError(err, 'SLUICE_CONFIG_INVALID')).toBe(true);
  });

  it('fails on a config file that was named but does not exist', () => {
    const p = project({});
    const err = failure(() => loadConfig({ cwd: p.dir, configPath: 'other.yaml', env: {} }));
    expect(err.code).toBe('SLUICE_CONFIG_FILE');
    expect(err.message).toMatch(/other\.yaml: it does not exist/);
  });
});
