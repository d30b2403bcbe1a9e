// The newer contract: POST /update_ticket/v1beta/schema computes the form from the posted form data
// (GET still serves schema.json); POST /execute is validated against schema.json's fields.
import { readFileSync } from 'node:fs';
import { Response, route, validateObject } from '@sluice/server';

const base = JSON.parse(readFileSync(new URL('./schema.json', import.meta.url), 'utf8')) as {
  fields: Record<string, unknown>[];
};

export const schema = route({ path: '/schema' }, (request) => {
  const fields = [...base.fields];
  if (typeof request.formData.ticket_id === 'string' && request.formData.ticket_id !== '') {
    fields.push({ type: 'string', id: 'status', label: `New status of ${request.formData.ticket_id}` });
  }
  return Response.success({ data: { schema: { ...base, fields } } });
});

export const execute = route({ path: '/execute' }, (request) => {
  const changes = validateObject(request.data.changes ?? '{}', 'changes');
  return { ticket_id: request.data.ticket_id, changes };
});
