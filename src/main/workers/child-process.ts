/**
 * What every worker process Shotline starts (media, C2PA signing; forked under Node or
 * a utilityProcess in the app) needs from its parent's side: where its entry is, and the
 * end of its stderr to say how it died.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WorkerEntry {
  file: string;
  execArgv: string[];
}

/**
 * The entry of a worker started from the module at `moduleUrl`: its TypeScript source
 * under tsx when that module runs from source (tests, dev, benchmarks), else the bundle
 * electron-vite writes to out/main/ (this module then sits in out/main/ or out/main/chunks/).
 */
export function workerEntryFor(moduleUrl: string, sourceFile: string, bundleFile: string): WorkerEntry {
  if (moduleUrl.endsWith('.ts')) return { file: fileURLToPath(new URL(`./${sourceFile}`, moduleUrl)), execArgv: ['--import', 'tsx'] };
  for (const candidate of [`./${bundleFile}`, `../${bundleFile}`]) {
    const file = fileURLToPath(new URL(candidate, moduleUrl));
    if (existsSync(file)) return { file, execArgv: [] };
  }
  throw new Error(`${bundleFile} was not found beside ${fileURLToPath(moduleUrl)}: run \`npm run build\``);
}

/** Keeps the last `bytes` of a child's stderr; returns a reader of what was kept. */
export function keepStderrTail(stream: NodeJS.ReadableStream | null | undefined, bytes = 4096): () => string {
  let tail = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-bytes);
  });
  return () => tail;
}
