/**
 * A webhook trigger written the way Workato connectors write one (the gem's
 * `spec/examples/webhook_trigger/connector.rb`, and the platform's `webhook_key`/`webhook_keys` for static
 * webhooks), in Sluice's camelCase: `webhook_subscribe(webhook_url, connection, input, recipe_id)` is
 * `webhookSubscribe({ webhookUrl, connection, input, recipeId })`, `webhook_unsubscribe(webhook_subscribe_output)`
 * is `webhookUnsubscribe({ webhookSubscribeOutput })`, `webhook_notification(input, payload, eis, eos, headers,
 * params, connection, webhook_subscribe_output)` is `webhookNotification({ input, payload, headers, params,
 * connection, webhookSubscribeOutput })`.
 */
import { defineConnector } from '@sluice/sdk';

export default defineConnector({
  title: 'Workato-style webhooks',
  connection: {
    fields: [
      { name: 'base_url', optional: false },
      { name: 'user', optional: false },
      { name: 'password', controlType: 'password', optional: false },
    ],
    baseUri: ({ connection }) => String(connection.base_url),
    authorization: {
      type: 'basic_auth',
      // apply: lambda do |settings| user(settings[:user]); password(settings[:password]) end
      apply: ({ connection, request }) =>
        request.user(String(connection.user)).password(String(connection.password)),
    },
  },
  // webhook_keys: lambda do |params, headers, payload| payload['account_id'] end
  webhookKeys: ({ payload }) => (payload as { account_id?: string } | null)?.account_id,
  triggers: {
    test_trigger: {
      // webhook_subscribe: response = post('/webhooks/subscribe'); { webhook_id: response['id'] }
      webhookSubscribe: async ({ http, webhookUrl }) => {
        const response = await http.post<{ id: number }>('/webhooks/subscribe', { url: webhookUrl });
        return { webhook_id: response.id };
      },
      // webhook_unsubscribe: post('/webhooks/unsubscribe').params('id' => webhook_subscribe_output[:webhook_id])
      webhookUnsubscribe: ({ http, webhookSubscribeOutput }) =>
        http
          .post('/webhooks/unsubscribe')
          .params({ id: (webhookSubscribeOutput as { webhook_id: number }).webhook_id }),
      // webhook_notification: payload['post']
      webhookNotification: ({ payload }) => (payload as { post?: unknown }).post,
      dedup: (record) => `${String(record.id)}@${String(record.updated_at ?? '')}`,
    },
    account_trigger: {
      inputFields: [{ name: 'account_id', optional: false }],
      // webhook_key: lambda do |connection, input| input['account_id'] end
      webhookKey: ({ input }) => input.account_id,
      webhookNotification: ({ payload }) => (payload as { events?: unknown }).events,
    },
  },
});
