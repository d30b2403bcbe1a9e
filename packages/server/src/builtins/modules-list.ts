/**
 * `GET /modules-list`: `{"data": {"modules": [...]}}`, one entry per mounted route folder, as
 * workflows-cdk answers it (module id, name, version, ... from `module_config.yaml` when present).
 *
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { ModuleInfo } from '../discovery/module-config.js';

/** Registers `GET /modules-list`; `modules` is read on each request (known once the app is ready). */
export function registerModulesList(app: FastifyInstance, modules: () => readonly ModuleInfo[]): void {
  app.get(
    '/modules-list',
    { schema: { summary: 'The modules of the service', tags: ['built-in'] } },
    async () => ({ data: { modules: modules() } }),
  );
}
