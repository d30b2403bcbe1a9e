// The project's entry point, as in a workflows-cdk project's main.py: `npx tsx main.ts`.
import { Router } from '@sluice/server';

const router = new Router();
await router.runApp();
