// Runs the CLI from source (under tsx) in a child process, for tests that need a real
// process: exit codes, signals, kill -9.
import { main } from '../../src/main/cli';

process.exitCode = await main(process.argv.slice(2));
