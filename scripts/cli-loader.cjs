#!/usr/bin/env node
'use strict';
// The `portdoctor` bin: loads the one-file CLI bundle (portdoctor-main.cjs, beside this file)
// through V8's code cache. Start-up is most of a small run, and most of start-up is V8 parsing
// the bundle (0.7 MB: every command and OS back-end, each initialised only when used). With the
// cache, V8 deserialises what it compiled last time instead: measured with callgrind, `who 22`
// costs ~65 M fewer instructions, `--version` ~55 M fewer (of ~100 M over `node -e 0`).
//
// The cache is a plain file per user (~/.cache/portdoctor, or $XDG_CACHE_HOME, or
// %LOCALAPPDATA% on Windows), created 0700 and read only when it is ours, named after the bundle's
// version and size and the Node version; V8 itself rejects data that does not fit the source, and
// a rejected or missing cache is written anew when the run ends. Any failure here falls back to a
// plain require: the cache is an optimisation, never a dependency. PORTDOCTOR_NO_CODE_CACHE=1
// turns it off.
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

function ownedDirectory(dir) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  // Another user's directory (or a world-writable one) could hold planted data: never read it.
  if (typeof process.getuid === 'function' && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0)) return false;
  return true;
}

/** The bundle compiled through the cache, ready to run; null when the cache cannot be used. */
function compileWithCache() {
  const dir = cacheDirectory();
  if (dir === null || !ownedDirectory(dir)) return null;
  const source = fs.readFileSync(main, 'utf8');
  const cacheFile = path.join(dir, `main-${source.length}-${Math.floor(fs.statSync(main).mtimeMs)}-${process.version}-${process.arch}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const vm = require('node:vm');
  // The same wrapper Node gives a CommonJS module, so the bundle runs exactly as under require().
  const wrapper = `(function (exports, require, module, __filename, __dirname) { ${source.replace(/^#!.*/, '')}\n})`;
  const script = new vm.Script(wrapper, { filename: main, cachedData });
  const run = script.runInThisContext();
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // At exit, so the functions this run compiled are in the cache too. Atomic: write, then rename.
    process.once('exit', () => {
      try {
        const temporary = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(temporary, cacheFile);
        // One cache per user: those of earlier builds or Node versions are dead weight.
        for (const name of fs.readdirSync(dir)) if (name.startsWith('main-') && path.join(dir, name) !== cacheFile) fs.rmSync(path.join(dir, name), { force: true });
      } catch {
        // a read-only or full disk: next time without a cache, as now
      }
    });
  }
  return run;
}

let compiled = null;
if (process.env.PORTDOCTOR_NO_CODE_CACHE !== '1') {
  try {
    compiled = compileWithCache();
  } catch {
    compiled = null;
  }
}
if (compiled === null) {
  require(main);
} else {
  // Outside the try: an error of the CLI itself must surface, not rerun it through require().
  const module = { exports: {}, filename: main, id: main, loaded: false };
  compiled.call(module.exports, module.exports, require, module, main, __dirname);
}
