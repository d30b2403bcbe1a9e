/**
 * `POST /send_message/v1/execute`: "sends" a message to a channel (this example only echoes it). It shows
 * `credentials`, `ManagedError` and the plain-object return (sent as `{"data": ...}`).
 *
 * @module
 */
// #region send_message
import { ManagedError, route } from '@sluice/server';

const CHANNELS = new Set(['general', 'random']);

export const execute = route(
  { path: '/execute', methods: ['POST'], summary: 'Send a message' },
  async (request) => {
    const { channel, text } = request.data as { channel?: string; text?: string };
    if (request.credentials.api_key === undefined)
      throw ManagedError.unauthorized('credentials.api_key is missing');
    if (typeof text !== 'string' || text === '')
      throw ManagedError.validationError('text is required', { field: 'text' });
    if (channel === undefined || !CHANNELS.has(channel))
      throw ManagedError.notFound('Channel', channel ?? '(none)');
    return { channel, text, sent: true };
  },
);
// #endregion send_message
