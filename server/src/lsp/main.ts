/**
 * Entry point of podsec-language-server. The transport comes from the command
 * line, as vscode-languageserver reads it: `--node-ipc` (the VS Code client),
 * `--stdio` (other editors), `--socket=<port>` or `--pipe=<name>`.
 * Nothing may write to stdout but the protocol: logs go through the connection.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

const connection = createConnection(ProposedFeatures.all);

process.on('uncaughtException', (e: Error) => {
  connection.console.error(`podsec: uncaught exception: ${e.stack ?? e.message}`);
});
process.on('unhandledRejection', (e: unknown) => {
  connection.console.error(
    `podsec: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
});

startServer(connection);

// Tests only (PODSEC_TEST_HOOKS=1): the heap after a full collection, to check that closing documents frees them.
if (process.env.PODSEC_TEST_HOOKS === '1') {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  connection.onRequest('podsec/debugMemory', () => {
    gc();
    return process.memoryUsage();
  });
}

connection.listen();
