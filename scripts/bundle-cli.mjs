// Bundles the CLI, after `tsc` has built the library in dist/, into a few CommonJS files in
// dist/cli/, and copies the bin beside them:
// - portdoctor.cjs       the bin (scripts/cli-loader.cjs): loads the rest through V8's code cache;
// - portdoctor-main.cjs  argument parsing, help and dispatch (src/cli/bin.ts, run.ts): small;
// - command-NAME.cjs     one per command, with everything it uses, loaded when it runs;
// - platform-darwin.cjs, platform-win32.cjs  the macOS and Windows back-ends, loaded only there
//   (or for a replayed snapshot of one);
// - fd-scan-worker.js    the Linux fd scan's worker thread (an ES module).
//
// Why: start-up is most of a small run, and most of start-up is V8 reading and compiling the
// code. One CommonJS file starts 10-12 ms sooner than ~30 ES modules (the loader's cost per
// module); but one file of every command and every OS back-end grew past 0.8 MB, and `who 22`
// paid to compile all of it. A command's bundle holds its own code only: `who` compiles about a
// third of the old single file. Each command bundle has its own copy of shared modules; the one
// piece of state they share, `--replay FILE`, travels through the PORTDOCTOR_REPLAY environment
// variable, and errors are recognised by name (isPortdoctorError), not by identity. yaml stays
// outside (the config scan loads it only for YAML its own reader declines). jsonc-parser is bundled,
// from its ES module build so that only the parser is kept (not the formatter and editor): required
// from node_modules it cost 10-25 ms of CPU at every start of `config` and `doctor` (five CommonJS
// files resolved and compiled, outside the code cache), a third of a small project's whole scan.
import { chmodSync, copyFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const OUT = 'dist/cli';

/** Cross-chunk imports: a command from the registry, an OS back-end from the platform chooser. */
const chunks = {
  name: 'portdoctor-chunks',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) =>
      args.importer.endsWith(join('cli', 'registry.ts')) ? { path: `./command-${basename(args.path, '.js')}.cjs`, external: true } : undefined,
    );
    b.onResolve({ filter: /^\.\/(darwin|win32)\/index\.js$/ }, (args) =>
      args.importer.endsWith(join('platform', 'index.ts')) ? { path: `./platform-${args.path.split('/')[1]}.cjs`, external: true } : undefined,
    );
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  format: 'cjs',
  external: ['yaml'],
  // jsonc-parser's "module" build (ES modules, tree-shaken) rather than its UMD "main".
  mainFields: ['module', 'main'],
  plugins: [chunks],
  // import() of another bundle (or of yaml) becomes require(): the bin compiles the bundles with
  // node:vm, where a dynamic import() has no loader to call.
  supported: { 'dynamic-import': false },
  // CommonJS has no import.meta: give each bundle its own file URL, so that fd-scan.ts finds its
  // worker (./fd-scan-worker.js) next to it.
  define: { 'import.meta.url': '__portdoctorFileUrl' },
  // "use strict" first: esbuild's own directive comes after the banner, where it would not count.
  banner: { js: '"use strict";\nconst __portdoctorFileUrl = require("node:url").pathToFileURL(__filename).href;' },
};

const commands = readdirSync('src/cli/commands').filter((file) => file.endsWith('.ts'));
await Promise.all([
  build({ ...common, entryPoints: ['src/cli/bin.ts'], outfile: `${OUT}/portdoctor-main.cjs` }),
  // A command module's default export is the module itself for require(): the registry's import()
  // becomes require() in Node mode, which takes module.exports as the default.
  ...commands.map((file) => build({ ...common, entryPoints: [`src/cli/commands/${file}`], outfile: `${OUT}/command-${basename(file, '.ts')}.cjs`, footer: { js: 'module.exports = module.exports.default;' } })),
  ...['darwin', 'win32'].map((os) => build({ ...common, entryPoints: [`src/platform/${os}/index.ts`], outfile: `${OUT}/platform-${os}.cjs` })),
  build({ bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', legalComments: 'none', entryPoints: ['src/platform/linux/fd-scan-worker.ts'], format: 'esm', outfile: `${OUT}/fd-scan-worker.js` }),
]);

// The bin itself is a small loader that runs the bundles through V8's code cache (see the file).
copyFileSync('scripts/cli-loader.cjs', `${OUT}/portdoctor.cjs`);
chmodSync(`${OUT}/portdoctor.cjs`, 0o755);
