import { isSluiceError } from '@sluice/sdk';
import { encodeMultipart } from '@sluice/sdk/internal';
import { describe, expect, it } from 'vitest';

/** Parses the encoded body back with the platform's own multipart parser. */
async function parse(payload: unknown): Promise<{ form: FormData; contentType: string }> {
  const { body, contentType } = await encodeMultipart(payload, 'POST /upload');
  const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  return { form, contentType };
}

describe('encodeMultipart', () => {
  it('sends scalars as text fields and bytes as file parts named after the key', async () => {
    const { form, contentType } = await parse({
      title: 'report',
      count: 3,
      when: new Date('2024-05-06T07:08:09Z'),
      skipped: null,
      file: Buffer.from('hello'),
    });
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(form.get('title')).toBe('report');
    expect(form.get('count')).toBe('3');
    expect(form.get('when')).toBe('2024-05-06T07:08:09.000Z');
    expect(form.has('skipped')).toBe(false);
    const file = form.get('file') as File;
    expect(file.name).toBe('file');
    expect(file.type).toBe('application/octet-stream');
    expect(await file.text()).toBe('hello');
  });

  it('uses the filename and content type of { value, filename, contentType } parts and of Files', async () => {
    const { form } = await parse({
      doc: { value: 'a,b\n1,2\n', filename: 'data.csv', contentType: 'text/csv' },
      bytes: { value: new Uint8Array([1, 2, 3]), filename: 'x.bin' },
      upload: new File(['<p/>'], 'page.html', { type: 'text/html' }),
    });
    const doc = form.get('doc') as File;
    expect([doc.name, doc.type, await doc.text()]).toEqual(['data.csv', 'text/csv', 'a,b\n1,2\n']);
    const bytes = form.get('bytes') as File;
    expect([bytes.name, bytes.type, [...new Uint8Array(await bytes.arrayBuffer())]]).toEqual([
      'x.bin',
      'application/octet-stream',
      [1, 2, 3],
    ]);
    const upload = form.get('upload') as File;
    expect([upload.name, upload.type, await upload.text()]).toEqual(['page.html', 'text/html', '<p/>']);
  });

  it('names nested fields Rails-style', async () => {
    const { form } = await parse({ tags: ['a', 'b'], meta: { owner: 'me' } });
    expect(form.getAll('tags[]')).toEqual(['a', 'b']);
    expect(form.get('meta[owner]')).toBe('me');
  });

  it('rejects a payload that is not an object', async () => {
    await expect(encodeMultipart('text', 'POST http://h/upload')).rejects.toMatchObject({
      code: 'SLUICE_HTTP_PAYLOAD',
      message:
        'cannot encode the payload of POST http://h/upload as multipart: expected an object, got a string',
    });
  });

  it('rejects a value that cannot be a part, naming its key', async () => {
    const err = await encodeMultipart({ fn: () => 1 }, 'POST /upload').catch((e: unknown) => e);
    expect(isSluiceError(err, 'SLUICE_HTTP_PAYLOAD')).toBe(true);
    expect((err as Error).message).toBe(
      'cannot encode fn of POST /upload as multipart: cannot send a function as a part',
    );
  });

  it('rejects a file part whose value is not text, bytes or a Blob', async () => {
    const err = await encodeMultipart({ f: { value: 12, filename: 'a' } }, 'POST /upload').catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toBe(
      'cannot encode f.value of POST /upload as multipart: expected a string, bytes or a Blob, got a number',
    );
  });
});
