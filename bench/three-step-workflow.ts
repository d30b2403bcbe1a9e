/**
 * The typical 3-step workflow the engine benchmarks run against the example my-app API: a lookup, a
 * listing that uses the first step's output, and a lookup again; plain references, text templates and
 * one filter.
 *
 * @module
 */
export const THREE_STEP_WORKFLOW = `
name: bench-three-steps
steps:
  - name: customer
    apispec:
      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"
      method: get
      params: { api_token: "{{ USER.token }}", id: "{{ INPUT.id }}" }
    output: "{{ CURRENT_STEP.response.body.customer }}"
  - name: recent
    apispec:
      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"
      method: get
      params: { api_token: "{{ USER.token }}", limit: 3, created_since: "{{ STEPS.customer.output.created_at }}" }
    output: "{{ CURRENT_STEP.response.body.customers | length }}"
  - name: again
    apispec:
      url: "{{ SYSTEM_APIS.my_app }}/v1/customers.json"
      method: get
      params: { api_token: "{{ USER.token }}", id: "{{ STEPS.customer.output.id }}" }
    output: "{{ CURRENT_STEP.response.body.customer.email }}"
`;

/**
 * A workflow of `steps` steps over the benchmark API of `bench/service/slow-api.ts` (`SYSTEM_APIS.<api>`):
 * step `i` calls `GET /step/<i>?run=<INPUT.n>` and outputs the `step` of the answer. No retries.
 */
export function stepsOverSlowApi(name: string, api: string, steps: number): string {
  const list = Array.from(
    { length: steps },
    (_, i) => `  - name: s${i}
    apispec:
      url: "{{ SYSTEM_APIS.${api} }}/step/${i}"
      params: { run: "{{ INPUT.n }}" }
    output: "{{ CURRENT_STEP.response.body.step }}"`,
  );
  return `
name: ${name}
default_retry: { total: 0 }
steps:
${list.join('\n')}
`;
}
