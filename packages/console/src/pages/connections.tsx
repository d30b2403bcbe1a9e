/**
 * The workspace's connections: create one from a connector's connection fields, test it, delete it.
 * The API answers only the names of the values a connection holds, so nothing secret comes back here;
 * secret fields are typed into password inputs and cleared once saved.
 */

import type { ConnectionView, ConnectorDescription, Field } from '@sluice/engine/api-types';
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { Empty, ErrorBox, Head, Loading, Time } from '../components/common.js';
import { useAction, useLoad } from '../hooks.js';

const SECRET_CONTROLS = new Set(['password', 'secret']);

function isSecret(field: Field): boolean {
  return SECRET_CONTROLS.has(field.controlType ?? '') || /secret|password|token|key/i.test(field.name);
}

function inputType(field: Field): 'password' | 'number' | 'text' {
  if (isSecret(field)) return 'password';
  return field.type === 'integer' || field.type === 'number' ? 'number' : 'text';
}

/** The value a field's text becomes (numbers and booleans typed as such). */
function fieldValue(field: Field, text: string): unknown {
  if (field.type === 'integer' || field.type === 'number') return Number(text);
  if (field.type === 'boolean') return text === 'true';
  return text;
}

function CreateForm({
  connectors,
  onCreated,
}: {
  connectors: ConnectorDescription[];
  onCreated: () => void;
}) {
  const [connectorName, setConnectorName] = useState(connectors[0]?.name ?? '');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const connector = connectors.find((c) => c.name === connectorName);
  const fieldList = connector?.connection.fields;
  const fields = fieldList === undefined || fieldList.dynamic ? [] : fieldList.fields;
  const save = useAction(async () => {
    if (connector === undefined) throw new ApiError(400, 'CONSOLE', 'pick a connector');
    // Fields are optional unless `optional: false` (Workato's notation).
    const missing = fields.filter((f) => f.optional === false && (values[f.name] ?? '') === '');
    if (missing.length > 0) {
      throw new ApiError(400, 'CONSOLE', `fill in ${missing.map((f) => f.label ?? f.name).join(', ')}`);
    }
    const body: Record<string, unknown> = {};
    for (const field of fields) {
      const text = values[field.name] ?? '';
      if (text !== '') body[field.name] = fieldValue(field, text);
    }
    await api('POST', '/v1/connections', { name, connector: connector.name, values: body });
    setValues({});
    setName('');
    onCreated();
  });
  if (connectors.length === 0) {
    return (
      <Empty>
        No connectors are registered: start <code>sluice serve --connectors &lt;dir&gt;</code>.
      </Empty>
    );
  }
  return (
    <form
      class="card connection-form"
      aria-label="new connection"
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <h2>New connection</h2>
      <label>
        Connector
        <select
          value={connectorName}
          onChange={(event) => {
            setConnectorName((event.target as HTMLSelectElement).value);
            setValues({});
          }}
        >
          {connectors.map((c) => (
            <option value={c.name} key={c.name}>
              {c.title} ({c.name})
            </option>
          ))}
        </select>
      </label>
      <label>
        Name
        <input
          name="name"
          required
          placeholder="my-app"
          value={name}
          onInput={(event) => setName((event.target as HTMLInputElement).value)}
        />
      </label>
      {connector?.connection.fields.dynamic === true && (
        <p class="muted">This connector computes its fields; create it through the API.</p>
      )}
      {fields.map((field) => (
        <label key={field.name}>
          <span>
            {field.label ?? field.name}
            {field.optional !== false && <span class="muted"> (optional)</span>}
          </span>
          <input
            name={field.name}
            // Preact types `type` per input kind; which kind is decided at run time here.
            type={inputType(field) as 'text'}
            autocomplete="off"
            value={values[field.name] ?? ''}
            placeholder={field.default === undefined ? '' : String(field.default)}
            onInput={(event) =>
              setValues({ ...values, [field.name]: (event.target as HTMLInputElement).value })
            }
          />
          {field.hint !== undefined && <span class="hint">{field.hint}</span>}
        </label>
      ))}
      <ErrorBox error={save.error} title="Not saved" />
      <button type="submit" disabled={save.busy}>
        {save.busy ? 'Saving…' : 'Create connection'}
      </button>
    </form>
  );
}

function ConnectionRow({ connection, onDeleted }: { connection: ConnectionView; onDeleted: () => void }) {
  const [result, setResult] = useState<string | undefined>(undefined);
  const [asking, setAsking] = useState(false);
  const path = `/v1/connections/${encodeURIComponent(connection.name)}`;
  const test = useAction(async () => {
    setResult(undefined);
    await api('POST', `${path}/test`);
    setResult('works');
  });
  const remove = useAction(async () => {
    await api('DELETE', path);
    onDeleted();
  });
  return (
    <tr data-connection={connection.name}>
      <td>
        <strong>{connection.name}</strong>
      </td>
      <td>{connection.connector}</td>
      <td>{connection.fields.length === 0 ? '–' : connection.fields.join(', ')}</td>
      <td>
        <Time iso={connection.updated_at} relative /> <span class="muted small">by {connection.user_id}</span>
      </td>
      <td class="row-actions">
        <button type="button" class="quiet" disabled={test.busy} onClick={() => void test.run()}>
          {test.busy ? 'Testing…' : 'Test'}
        </button>
        {result !== undefined && <span class="ok-text"> ✓ {result}</span>}
        {test.error !== undefined && <span class="field-error"> ✗ {test.error.message}</span>}
        {asking ? (
          <>
            <button type="button" class="danger" onClick={() => void remove.run()}>
              Yes, delete
            </button>
            <button type="button" class="quiet" onClick={() => setAsking(false)}>
              Keep
            </button>
          </>
        ) : (
          <button type="button" class="quiet danger" onClick={() => setAsking(true)}>
            Delete
          </button>
        )}
        {remove.error !== undefined && <span class="field-error"> {remove.error.message}</span>}
      </td>
    </tr>
  );
}

export function ConnectionsPage() {
  const list = useLoad(() => api<{ connections: ConnectionView[] }>('GET', '/v1/connections'), []);
  const catalog = useLoad(() => api<{ connectors: ConnectorDescription[] }>('GET', '/v1/connectors'), []);
  return (
    <section>
      <div class="page-head">
        <h1>Connections</h1>
      </div>
      <p class="muted">
        Values are stored encrypted and never shown again; only the names of the values set are listed.
      </p>
      <ErrorBox error={list.error ?? catalog.error} />
      {list.loading && <Loading />}
      {list.data?.connections.length === 0 && <Empty>No connections yet.</Empty>}
      {list.data !== undefined && list.data.connections.length > 0 && (
        <table class="list" aria-label="connections">
          <Head columns={['Name', 'Connector', 'Values set', 'Saved', '']} />
          <tbody>
            {list.data.connections.map((connection) => (
              <ConnectionRow connection={connection} onDeleted={list.reload} key={connection.name} />
            ))}
          </tbody>
        </table>
      )}
      {catalog.data !== undefined && (
        <CreateForm connectors={catalog.data.connectors} onCreated={list.reload} />
      )}
    </section>
  );
}
