// A module folder starting with _: workflows-cdk mounts it, and so does Sluice.
import { route } from '@sluice/server';

export const execute = route({ path: '/execute' }, () => ({ pong: true }));
