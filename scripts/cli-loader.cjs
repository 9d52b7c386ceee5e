#!/usr/bin/env node
'use strict';
// The `portdoctor` bin: runs the CLI's bundles (portdoctor-main.cjs, then the command's own
// command-NAME.cjs, beside this file) through V8's code cache. Start-up is most of a small run,
// and most of start-up is V8 compiling the code: with the cache, V8 deserialises what it compiled
// last time instead (see scripts/bundle-cli.mjs for how the bundles are cut).
//
// The cache is one file per bundle, per user (~/.cache/portdoctor, or $XDG_CACHE_HOME, or
// %LOCALAPPDATA% on Windows), in a directory created 0700 and read only when it is ours, named
// after the bundle's size and time and the Node version; V8 itself rejects data that does not fit
// the source, and a rejected or missing cache is written anew when the run ends. Any failure here
// falls back to plain loading: the cache is an optimisation, never a dependency.
// PORTDOCTOR_NO_CODE_CACHE=1 turns it off.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, 'portdoctor-main.cjs');

function cacheDirectory() {
  const env = process.env;
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'portdoctor');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'portdoctor', 'cache');
  const home = require('node:os').homedir();
  return home ? path.join(home, '.cache', 'portdoctor') : null;
}

/** The cache directory when it is safe to use: ours, and writable by nobody else. */
function ownedDirectory() {
  const dir = cacheDirectory();
  if (dir === null) return null;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  // Another user's directory (or a group/world-writable one) could hold planted data: never read it.
  if (typeof process.getuid === 'function' && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0)) return null;
  return dir;
}

/**
 * Compiles our bundles through the cache from now on: Module.prototype._compile, for files in this
 * directory only, runs the module with the wrapper Node itself uses, so it behaves exactly as
 * under require().
 */
function installCache(dir) {
  const Module = require('node:module');
  const vm = require('node:vm');
  const compile = Module.prototype._compile;
  const written = [];
  Module.prototype._compile = function compileCached(content, filename) {
    if (path.dirname(filename) !== __dirname || !filename.endsWith('.cjs')) return compile.call(this, content, filename);
    const stat = fs.statSync(filename);
    const cacheFile = path.join(dir, `${path.basename(filename, '.cjs')}-${stat.size}-${Math.floor(stat.mtimeMs)}-${process.version}-${process.arch}.v8`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(content.replace(/^#!.*/, '')), { filename, cachedData });
    if (cachedData === undefined || script.cachedDataRejected === true) written.push({ script, cacheFile, prefix: `${path.basename(filename, '.cjs')}-` });
    const run = script.runInThisContext();
    return run.call(this.exports, this.exports, Module.createRequire(filename), this, filename, __dirname);
  };
  // At exit, so the functions this run compiled are in the cache too. Atomic: write, then rename.
  process.once('exit', () => {
    for (const { script, cacheFile, prefix } of written) {
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(temporary, cacheFile);
        // One cache per bundle: those of earlier builds or Node versions are dead weight.
        for (const name of fs.readdirSync(dir)) if (name.startsWith(prefix) && path.join(dir, name) !== cacheFile && /^\d/.test(name.slice(prefix.length))) fs.rmSync(path.join(dir, name), { force: true });
      } catch {
        // a read-only or full disk: next time without a cache, as now
      }
    }
  });
}

if (process.env.PORTDOCTOR_NO_CODE_CACHE !== '1') {
  try {
    const dir = ownedDirectory();
    if (dir !== null) installCache(dir);
  } catch {
    // no cache then
  }
}
require(main);
