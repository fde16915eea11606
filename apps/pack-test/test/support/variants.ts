/**
 * A README quick start as the temp project runs and checks it: the ES module as printed (TypeScript transpiled),
 * the CommonJS form (imports become `require` calls; the statements after them, top-level `await` included, run
 * in an async function whose promise is exported as `ready`), and the TypeScript files `tsc` checks.
 */
import ts from 'typescript';

/** The compiler options of a Nest-ready user project: decorators with their metadata. */
const DECORATORS = { experimentalDecorators: true, emitDecoratorMetadata: true } as const;

/**
 * The quick start as a CommonJS-ready module in TypeScript syntax: import declarations (and module
 * augmentations) stay at the top; every other statement runs, in order, inside
 * `export const ready = (async () => { ... })()`, with `export default x` turned into `return x`.
 */
export function wrapForCommonJs(code: string): string {
  const source = ts.createSourceFile('quick-start.ts', code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const top: string[] = [];
  const body: string[] = [];
  for (const statement of source.statements) {
    const text = code.slice(statement.getFullStart(), statement.getEnd());
    if (
      ts.isImportDeclaration(statement) ||
      ts.isImportEqualsDeclaration(statement) ||
      ts.isModuleDeclaration(statement)
    ) {
      top.push(text);
    } else if (ts.isExportAssignment(statement)) {
      const leading = code.slice(statement.getFullStart(), statement.getStart(source));
      body.push(`${leading}return ${statement.expression.getText(source)};`);
    } else {
      body.push(text);
    }
  }
  const rest = code.slice(source.statements.at(-1)?.getEnd() ?? 0);
  return `${top.join('').trim()}\n\nexport const ready = (async () => {${body.join('')}${rest.trimEnd()}\n})();\n`;
}

/** Transpiles TypeScript (or JavaScript) syntax to an ES module or a CommonJS module, without type checks. */
export function transpile(code: string, kind: 'esm' | 'cjs'): string {
  return ts.transpileModule(code, {
    fileName: 'quick-start.ts',
    compilerOptions: {
      ...DECORATORS,
      target: ts.ScriptTarget.ES2022,
      module: kind === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      esModuleInterop: true,
    },
  }).outputText;
}

/** The file name and text of one runnable form of a quick start. */
export interface Runnable {
  readonly file: string;
  readonly text: string;
}

/** The ES module (`<name>.mjs`: a JavaScript quick start as printed) and the CommonJS module (`<name>.cjs`). */
export function runnables(
  name: string,
  language: 'ts' | 'js',
  code: string,
): Record<'esm' | 'cjs', Runnable> {
  return {
    esm: { file: `${name}.mjs`, text: language === 'js' ? code : transpile(code, 'esm') },
    cjs: { file: `${name}.cjs`, text: transpile(wrapForCommonJs(code), 'cjs') },
  };
}

/** The TypeScript files `tsc` checks for a TypeScript quick start: as printed (`.mts`) and wrapped (`.cts`). */
export function typeChecked(name: string, code: string): Runnable[] {
  return [
    { file: `${name}.mts`, text: code },
    { file: `${name}.cts`, text: wrapForCommonJs(code) },
  ];
}

/**
 * The tsconfig.json of the type check: strict, Node's own module resolution (so each file resolves the
 * `import` or the `require` condition of the packages' exports, as Node does), the declarations of the installed
 * packages checked too (no `skipLibCheck`), decorators as a Nest project has them.
 */
export function typeCheckConfig(files: readonly string[]): string {
  const config = {
    compilerOptions: {
      ...DECORATORS,
      strict: true,
      noEmit: true,
      target: 'es2022',
      lib: ['es2022'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      types: ['node'],
      skipLibCheck: false,
    },
    files,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
