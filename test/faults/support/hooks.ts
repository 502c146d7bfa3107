/**
 * Root hooks of the fault-injection suite (`npm run test:faults`): each scenario starts the
 * PostgreSQL cluster, servers, workers and fake Meta it needs, and stops them; at the end of the
 * run the figures every scenario recorded are printed as one table.
 */
import { figuresTable } from './figures.ts';

export const mochaHooks = {
  afterAll() {
    console.log(`\n  fault-injection figures\n\n${figuresTable()}\n`);
  },
};
