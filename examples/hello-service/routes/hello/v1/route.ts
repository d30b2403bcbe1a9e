/**
 * `POST /hello/v1/execute`: greets `data.name`, validated by `schema.json` beside this file.
 *
 * @module
 */
// #region hello
import { Response, route } from '@sluice/server';

export const execute = route(
  { path: '/execute', methods: ['POST'], summary: 'Say hello' },
  async (request) => {
    const name = request.data.name ?? 'World';
    return Response.success({ data: { message: `Hello, ${name}!` } });
  },
);
// #endregion hello
