#!/usr/bin/env node
// The podsec language server. Pass the transport: --stdio (editors such as
// Neovim, Helix, Emacs) or --node-ipc (the VS Code extension).
'use strict';
if (!process.argv.slice(2).some((a) => /^--(stdio|node-ipc|socket|pipe|clientProcessId)/.test(a))) {
  process.argv.push('--stdio');
}
require('../out/lsp/main.js');
