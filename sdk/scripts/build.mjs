#!/usr/bin/env node
// Builds the publishable package into sdk/dist/ (npm run sdk:build from the repository root):
//
//   dist/package.json   the published manifest: ESM + CJS conditional exports, each with its types
//   dist/esm/           tsc -p tsconfig.build.json: ES modules + .d.ts (type-checked)
//   dist/cjs/           the same sources transpiled to CommonJS (ts.transpileModule, file by
//                       file: the sources are isolatedModules-safe) + the same .d.ts, with a
//                       package.json {"type":"commonjs"} so Node.js and TypeScript read it as CJS
//   dist/README.md, dist/LICENSE
//   *.js.map            a source map beside every .js, with the TypeScript sources inlined
//                       (sourcesContent): stack traces and debuggers show src/*.ts
//
// Only tsc (the repository's pinned TypeScript) is used: no bundler. The package is packed from
// dist/ (`npm pack ./sdk/dist`), never from sdk/ itself: sdk/package.json points at the
// TypeScript sources so that the workspace (examples, tests, tsc --noEmit) uses them unbuilt.
//
//   node sdk/scripts/build.mjs [--pack <folder>]   --pack also runs `npm pack` into <folder> and
//                                                  prints the tarball's path as the last line
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const sdkDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(sdkDir, 'dist');
const require = createRequire(path.join(sdkDir, 'package.json'));
const started = Date.now();

const source = JSON.parse(readFileSync(path.join(sdkDir, 'package.json'), 'utf8'));
const tsc = require.resolve('typescript/bin/tsc');
const ts = require('typescript');

const versionFile = readFileSync(path.join(sdkDir, 'src/version.ts'), 'utf8');
if (!versionFile.includes(`'${source.version}'`)) {
  console.error(`sdk:build: src/version.ts does not say '${source.version}' (the version in sdk/package.json)`);
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(sdkDir, 'tsconfig.build.json')], { cwd: sdkDir, stdio: 'inherit' });

// CommonJS: every source file transpiled on its own; the declarations are the ESM build's.
const esm = path.join(dist, 'esm');
const cjs = path.join(dist, 'cjs');
const cjsOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  verbatimModuleSyntax: false,
  isolatedModules: true,
  removeComments: false,
  sourceMap: true,
  inlineSources: true,
};
function walk(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(path.join(folder, entry.name)) : [path.join(folder, entry.name)],
  );
}
for (const file of walk(path.join(sdkDir, 'src')).filter((f) => f.endsWith('.ts'))) {
  const relative = path.relative(path.join(sdkDir, 'src'), file);
  const output = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: cjsOptions, fileName: file, reportDiagnostics: true });
  if (output.diagnostics?.length) {
    console.error(
      ts.formatDiagnostics(output.diagnostics, {
        getCanonicalFileName: (f) => f,
        getCurrentDirectory: () => sdkDir,
        getNewLine: () => '\n',
      }),
    );
    process.exit(1);
  }
  const target = path.join(cjs, relative.replace(/\.ts$/, '.js'));
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, output.outputText);
  // transpileModule names the source by its absolute path: make it relative, like tsc's maps.
  const map = JSON.parse(output.sourceMapText);
  map.file = path.basename(target);
  map.sources = [path.relative(path.dirname(target), file).split(path.sep).join('/')];
  writeFileSync(`${target}.map`, JSON.stringify(map));
  const declaration = relative.replace(/\.ts$/, '.d.ts');
  copyFileSync(path.join(esm, declaration), path.join(cjs, declaration));
}
writeFileSync(path.join(cjs, 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

const manifest = {
  name: source.name,
  version: source.version,
  description: source.description,
  license: source.license,
  keywords: source.keywords,
  homepage: source.homepage,
  repository: source.repository,
  bugs: source.bugs,
  type: 'module',
  // Here rather than in sdk/package.json, so the workspace's lock file entry stays as it is.
  engines: { node: '>=20' },
  sideEffects: false,
  main: './cjs/index.js',
  module: './esm/index.js',
  types: './cjs/index.d.ts',
  exports: {
    '.': {
      import: { types: './esm/index.d.ts', default: './esm/index.js' },
      require: { types: './cjs/index.d.ts', default: './cjs/index.js' },
    },
    './package.json': './package.json',
  },
  files: ['esm', 'cjs', 'README.md', 'LICENSE'],
  dependencies: source.dependencies,
};
for (const key of Object.keys(manifest)) if (manifest[key] === undefined) delete manifest[key];
writeFileSync(path.join(dist, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
for (const file of ['README.md', 'LICENSE']) {
  if (existsSync(path.join(sdkDir, file))) copyFileSync(path.join(sdkDir, file), path.join(dist, file));
}
console.log(
  `sdk:build: ${source.name}@${source.version} → sdk/dist (esm + cjs + .d.ts, TypeScript ${ts.version}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

const packIndex = process.argv.indexOf('--pack');
if (packIndex !== -1) {
  const destination = path.resolve(process.argv[packIndex + 1] ?? '.');
  mkdirSync(destination, { recursive: true });
  const npm =
    process.env.npm_execpath && process.env.npm_execpath.endsWith('.js') ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const output = execFileSync(npm[0], [...npm[1], 'pack', dist, '--pack-destination', destination, '--json', '--ignore-scripts'], {
    cwd: sdkDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [packed] = JSON.parse(output);
  console.log(`sdk:build: packed ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} kB`);
  console.log(path.join(destination, packed.filename));
}
