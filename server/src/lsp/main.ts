/**
 * Entry point of podsec-language-server. The transport comes from the command
 * line, as vscode-languageserver reads it: `--node-ipc` (the VS Code client),
 * `--stdio` (other editors), `--socket=<port>` or `--pipe=<name>`.
 * Nothing may write to stdout but the protocol: logs go through the connection.
 */
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
connection.listen();
