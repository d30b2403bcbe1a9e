/**
 * A YAML text area with line numbers, where the lines the service found problems on are marked in the
 * gutter and behind the text, and each problem is listed under it (a click selects its line).
 * A plain `<textarea>` keeps typing, undo and paste as the browser does them; no editor library.
 */

import type { WorkflowProblem } from '@sluice/engine/api-types';
import { useRef } from 'preact/hooks';

function lineOffsets(text: string): number[] {
  const offsets = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') offsets.push(i + 1);
  return offsets;
}

export function YamlEditor({
  value,
  onInput,
  problems,
  label,
}: {
  value: string;
  onInput: (text: string) => void;
  problems: WorkflowProblem[];
  label: string;
}) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const backdrop = useRef<HTMLPreElement>(null);
  const lines = value.split('\n');
  const bad = new Map<number, string[]>();
  for (const problem of problems) {
    if (problem.line === undefined) continue;
    bad.set(problem.line, [...(bad.get(problem.line) ?? []), problem.message]);
  }

  const syncScroll = () => {
    const top = area.current?.scrollTop ?? 0;
    const left = area.current?.scrollLeft ?? 0;
    if (gutter.current !== null) gutter.current.scrollTop = top;
    if (backdrop.current !== null) {
      backdrop.current.scrollTop = top;
      backdrop.current.scrollLeft = left;
    }
  };

  const selectLine = (line: number) => {
    const el = area.current;
    if (el === null) return;
    const offsets = lineOffsets(value);
    const start = offsets[line - 1] ?? value.length;
    const end = (offsets[line] ?? value.length + 1) - 1;
    el.focus();
    el.setSelectionRange(start, end);
    const lineHeight = el.scrollHeight / Math.max(lines.length, 1);
    el.scrollTop = Math.max(0, (line - 4) * lineHeight);
    syncScroll();
  };

  return (
    <div class="yaml-editor">
      <div class="editor-frame">
        <div class="editor-gutter" ref={gutter} aria-hidden="true">
          {lines.map((_, index) => {
            const messages = bad.get(index + 1);
            return (
              <div class={messages === undefined ? '' : 'bad'} key={index} title={messages?.join('\n')}>
                {index + 1}
              </div>
            );
          })}
        </div>
        <div class="editor-body">
          <pre class="editor-backdrop" ref={backdrop} aria-hidden="true">
            {lines.map((line, index) => (
              <div class={bad.has(index + 1) ? 'bad' : ''} key={index}>
                {line === '' ? ' ' : line}
              </div>
            ))}
          </pre>
          <textarea
            ref={area}
            aria-label={label}
            spellcheck={false}
            wrap="off"
            value={value}
            onInput={(event) => onInput((event.target as HTMLTextAreaElement).value)}
            onScroll={syncScroll}
            onKeyDown={(event) => {
              // Tab indents by two spaces, as YAML wants, instead of leaving the editor.
              if (event.key !== 'Tab' || event.shiftKey) return;
              event.preventDefault();
              const el = event.target as HTMLTextAreaElement;
              el.setRangeText('  ', el.selectionStart, el.selectionEnd, 'end');
              onInput(el.value);
            }}
          />
        </div>
      </div>
      {problems.length > 0 && (
        <ul class="problems" aria-label="problems">
          {problems.map((problem, index) => (
            <li key={`${problem.path}:${problem.line}:${index}`}>
              {problem.line !== undefined ? (
                <button type="button" class="link" onClick={() => selectLine(problem.line as number)}>
                  line {problem.line}
                  {problem.column !== undefined ? `:${problem.column}` : ''}
                </button>
              ) : (
                <span class="muted">document</span>
              )}{' '}
              {problem.path !== '' && <code>{problem.path}</code>} {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
