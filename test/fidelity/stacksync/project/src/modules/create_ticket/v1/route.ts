// POST /create_ticket/v1/execute and /content: the workflows-cdk contract, with the Acme Helpdesk API
// at credentials.base_url.
import { ManagedError, Response, route } from '@sluice/server';

interface TicketInput {
  subject: string;
  priority?: number | null;
  queue?: string | null;
  notify?: boolean | null;
}

export const execute = route<TicketInput>({ path: '/execute' }, async (request) => {
  const { base_url: baseUrl, api_key: apiKey } = request.credentials as {
    base_url?: string;
    api_key?: string;
  };
  if (apiKey === undefined) throw ManagedError.unauthorized('credentials.api_key is missing');
  const queue = request.data.queue ?? 'support';
  const res = await fetch(`${baseUrl}/queues/${encodeURIComponent(queue)}/tickets`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: request.data.subject, priority: request.data.priority ?? 3 }),
  });
  if (res.status === 404) {
    throw ManagedError.notFoundError(`Queue ${queue} does not exist`, 'Queue', queue, {
      queue_checked: true,
    });
  }
  if (!res.ok) throw ManagedError.serviceError(`HTTP ${res.status}`, 'Acme Helpdesk');
  return Response.success({ data: await res.json(), metadata: { queue } });
});

export const content = route({ path: '/content' }, async (request) => {
  const { base_url: baseUrl, api_key: apiKey } = request.credentials as {
    base_url?: string;
    api_key?: string;
  };
  const objects = [];
  for (const name of request.contentObjectNames) {
    if (name !== 'queues') continue;
    const res = await fetch(`${baseUrl}/queues`, { headers: { authorization: `Bearer ${apiKey}` } });
    const queues = (await res.json()) as { id: string; title: string }[];
    objects.push({ id: 'queues', data: queues.map((q) => ({ value: q.id, label: q.title })) });
  }
  return Response.content(objects);
});
