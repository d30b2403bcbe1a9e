// #region main
import { Router } from '@sluice/server';

const router = new Router();
await router.runApp();
// #endregion main
