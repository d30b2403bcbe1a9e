/**
 * `POST /hello/v1/execute`: greets `data.name`. The request data is validated by `schema.json` beside
 * this file before the handler runs.
 */
import { ManagedError, Response, route } from '@sluice/server';

export const execute = route(
  { path: '/execute', methods: ['POST'], summary: 'Say hello' },
  async (request) => {
    const name = request.data.name ?? 'World';
    if (name === 'nobody') throw ManagedError.notFound('Person', String(name));
    return Response.success({ data: { message: `Hello, ${name}!` } });
  },
);
