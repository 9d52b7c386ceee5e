// Bundles the CLI into one CommonJS file, dist/cli/portdoctor-main.cjs, run by the package's bin
// dist/cli/portdoctor.cjs (scripts/cli-loader.cjs: V8's code cache), and the
// fd-scan worker into one ES module beside it, after `tsc` has built the library in dist/.
//
// Why: start-up is most of a small run. Node loads ~30 ES modules for `portdoctor ls` through its
// ESM loader; one CommonJS file starts 10-12 ms sooner (measured with hyperfine: `who` 196 → 184
// ms, `ls` 249 → 239 ms at 200 processes / 2,000 listeners). Commands stay lazy: esbuild keeps
// each dynamically imported module's body unevaluated until its command runs. yaml and
// jsonc-parser stay outside (loaded only by the config scan).
import { chmodSync, copyFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', legalComments: 'none' };

await build({
  ...common,
  entryPoints: ['src/cli/bin.ts'],
  format: 'cjs',
  outfile: 'dist/cli/portdoctor-main.cjs',
  external: ['yaml', 'jsonc-parser'],
  // CommonJS has no import.meta: give the bundle its own file URL, so that fd-scan.ts finds its
  // worker (./fd-scan-worker.js) next to the bundle.
  define: { 'import.meta.url': '__portdoctorFileUrl' },
  // "use strict" first: esbuild's own directive comes after the banner, where it would not count.
  banner: { js: '"use strict";\nconst __portdoctorFileUrl = require("node:url").pathToFileURL(__filename).href;' },
});

// The bin itself is a small loader that runs the bundle through V8's code cache (see the file).
copyFileSync('scripts/cli-loader.cjs', 'dist/cli/portdoctor.cjs');
chmodSync('dist/cli/portdoctor.cjs', 0o755);

await build({
  ...common,
  entryPoints: ['src/platform/linux/fd-scan-worker.ts'],
  format: 'esm',
  outfile: 'dist/cli/fd-scan-worker.js',
});
