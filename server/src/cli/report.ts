/**
 * The command line's renderers moved to ../render (shared with the language
 * server); this re-export keeps the old import path working.
 */
export * from '../render/index';
