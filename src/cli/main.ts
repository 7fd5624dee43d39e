#!/usr/bin/env node
import { Command } from 'commander';
import { registerTrain } from './trainCommand.ts';
import { registerDemo } from './demoCommand.ts';
import { registerSweep } from './sweepCommand.ts';
import { registerTheory } from './theoryCommand.ts';
import { registerPlot } from './plotCommand.ts';
import { registerReproduce } from './reproduceCommand.ts';
import { registerSeparability } from './separabilityCommand.ts';
import { registerSchedule } from './scheduleCommand.ts';
import { registerLrbench } from './lrbenchCommand.ts';
import { registerIncremental } from './incrementalCommand.ts';
import { registerRl } from './rlCommand.ts';
import { codeVersion } from '../io/version.ts';

// `catapult theory | head` closes stdout early: that is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

const program = new Command();
program
  .name('catapult')
  .description('catapult-lab: gradient descent at large learning rates on deep linear networks')
  .version(codeVersion().packageVersion)
  .showHelpAfterError();

registerTrain(program);
registerDemo(program);
registerSweep(program);
registerTheory(program);
registerPlot(program);
registerReproduce(program);
registerSeparability(program);
registerSchedule(program);
registerLrbench(program);
registerIncremental(program);
registerRl(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Expected failures (bad config, bad data, bad weights) get one clear line and exit code 2.
  const e = err as Error;
  console.error(`catapult: ${e.message}`);
  if (process.env.CATAPULT_DEBUG) console.error(e.stack);
  process.exit(2);
}
