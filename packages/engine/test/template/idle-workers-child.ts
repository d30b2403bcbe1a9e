/**
 * A process for `idle-workers.test.ts`: renders a template that breaks a limit, so the pool replaces the
 * worker it ran on, prints what the render threw, and returns without closing the renderer. The process
 * must then end on its own: an idle template worker, the replacement too, holds nothing open.
 */
import { TemplateRenderer } from '@sluice/engine';

// Fuel for far longer than the deadline: the pool stops the worker at the deadline and starts another.
const renderer = new TemplateRenderer({ deadlineMs: 50, fuel: 2_000_000_000 });
const state = { SYSTEM_APIS: {}, USER: {}, INPUT: {}, STEPS: {}, WORKFLOW: {}, RUN: {} };
try {
  await renderer.render(
    '{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}',
    state,
    { step: 's', field: 'f' },
  );
  process.stdout.write('rendered\n');
} catch (err) {
  process.stdout.write(`${(err as { code?: string }).code}\n`);
}
