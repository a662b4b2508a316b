// Builds OpenAPI v3 component schemas from the `kubernetes-types` declarations with the TypeScript
// compiler API. Those declarations carry the Kubernetes field descriptions as doc comments and
// required fields as non-optional properties; extensions.ts adds what TypeScript cannot express.
// Only the closure of the served kinds (RESOURCES plus EXTRA_ROOTS) is emitted, keeping the
// generated module small. Run at development time (scripts/gen-openapi.ts); the server only reads
// the committed JSON, so `typescript` stays a devDependency.
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { RESOURCES, apiVersionOf, isReview } from '../resources.js';
import {
  COMPONENT_EXTENSIONS,
  ENUMS,
  EXTRA_ROOTS,
  INT64_FIELDS,
  INT_OR_STRING,
  PROPERTY_EXTENSIONS,
  SPECIAL_COMPONENTS,
  moduleOf,
  packageOf,
} from './extensions.js';

export type Schema = Record<string, unknown>;

export interface GVK {
  group: string;
  kind: string;
  version: string;
}

interface Root {
  module: string;
  name: string;
  gvks: GVK[];
}

/** Directory holding the `kubernetes-types` declarations. */
export function typesDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('kubernetes-types/package.json'));
}

function roots(): Root[] {
  const out: Root[] = [];
  const add = (module: string, name: string, gvk?: GVK) => {
    let r = out.find((x) => x.module === module && x.name === name);
    if (!r) out.push((r = { module, name, gvks: [] }));
    if (gvk && !r.gvks.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) r.gvks.push(gvk);
  };
  const servedGVs = [...new Map(RESOURCES.map((r) => [apiVersionOf(r), { group: r.group, version: r.version }])).values()];
  for (const r of RESOURCES) {
    const module = moduleOf(r.group, r.version);
    add(module, r.kind, { group: r.group, kind: r.kind, version: r.version });
    if (!isReview(r)) add(module, r.listKind, { group: r.group, kind: r.listKind, version: r.version });
  }
  for (const x of EXTRA_ROOTS) {
    add(x.module, x.name, x.gvk && { group: x.gvk.group, kind: x.gvk.kind, version: x.gvk.version });
    if (x.everyGroupVersion) for (const gv of servedGVs) add(x.module, x.name, { group: gv.group, kind: x.name, version: gv.version });
  }
  return out;
}

class Generator {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;
  readonly schemas: Record<string, Schema> = {};
  private readonly queue: ts.Declaration[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly dir: string) {
    const rootFiles = [...new Set(roots().map((r) => join(dir, `${r.module}.d.ts`)))];
    this.program = ts.createProgram(rootFiles, { noEmit: true, strict: true, types: [], noLib: true });
    this.checker = this.program.getTypeChecker();
  }

  run(): Record<string, Schema> {
    for (const root of roots()) {
      const decl = this.findDeclaration(root.module, root.name);
      const name = this.enqueue(decl);
      this.drain();
      if (root.gvks.length) this.schemas[name]['x-kubernetes-group-version-kind'] = root.gvks;
    }
    const sorted: Record<string, Schema> = {};
    for (const k of Object.keys(this.schemas).sort()) sorted[k] = this.schemas[k];
    return sorted;
  }

  private findDeclaration(module: string, name: string): ts.Declaration {
    const sf = this.program.getSourceFile(join(this.dir, `${module}.d.ts`));
    if (!sf) throw new Error(`kubernetes-types has no module ${module}`);
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name) return st;
    }
    throw new Error(`kubernetes-types ${module} declares no ${name}`);
  }

  private componentName(decl: ts.Declaration): string {
    const file = relative(this.dir, decl.getSourceFile().fileName).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    const id = (decl as ts.InterfaceDeclaration | ts.TypeAliasDeclaration).name.text;
    return `${packageOf(file)}.${id}`;
  }

  private enqueue(decl: ts.Declaration): string {
    const name = this.componentName(decl);
    if (!this.seen.has(name)) {
      this.seen.add(name);
      this.queue.push(decl);
    }
    return name;
  }

  private drain(): void {
    for (let decl = this.queue.shift(); decl; decl = this.queue.shift()) {
      const name = this.componentName(decl);
      this.schemas[name] = this.component(name, decl);
    }
  }

  private docOf(node: ts.Node): string {
    const sym = (node as { symbol?: ts.Symbol }).symbol;
    return sym ? ts.displayPartsToString(sym.getDocumentationComment(this.checker)).trim() : '';
  }

  private component(name: string, decl: ts.Declaration): Schema {
    const description = this.docOf(decl);
    const head: Schema = description ? { description } : {};
    if (ts.isTypeAliasDeclaration(decl)) {
      const special = SPECIAL_COMPONENTS[name];
      if (!special) throw new Error(`no wire format known for type alias ${name}; add it to SPECIAL_COMPONENTS`);
      return { ...head, ...special };
    }
    if (!ts.isInterfaceDeclaration(decl)) throw new Error(`unexpected declaration for ${name}`);
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const m of decl.members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const prop = (m.name as ts.Identifier | ts.StringLiteral).text;
      if (!m.questionToken) required.push(prop);
      const schema = this.property(m.type, prop);
      const doc = this.docOf(m);
      const values = ENUMS[name]?.[prop];
      properties[prop] = {
        ...(doc ? { description: doc } : {}),
        ...schema,
        ...(values ? { enum: values } : {}),
        ...(PROPERTY_EXTENSIONS[name]?.[prop] ?? {}),
      };
    }
    const out: Schema = { ...head, type: 'object' };
    if (Object.keys(properties).length) out.properties = properties;
    if (required.length) out.required = required;
    return { ...out, ...(COMPONENT_EXTENSIONS[name] ?? {}) };
  }

  /** A property's schema; references to other components are wrapped in allOf so a description may sit beside them. */
  private property(node: ts.TypeNode, prop: string): Schema {
    const s = this.type(node, prop);
    return typeof s.$ref === 'string' ? { allOf: [s] } : s;
  }

  private ref(name: string): Schema {
    return { $ref: `#/components/schemas/${name}` };
  }

  private type(node: ts.TypeNode, prop: string): Schema {
    switch (node.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer', format: INT64_FIELDS.has(prop) ? 'int64' : 'int32' };
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return { type: 'object' };
    }
    if (ts.isParenthesizedTypeNode(node)) return this.type(node.type, prop);
    if (ts.isLiteralTypeNode(node)) {
      if (ts.isStringLiteral(node.literal)) return { type: 'string' };
      if (node.literal.kind === ts.SyntaxKind.TrueKeyword || node.literal.kind === ts.SyntaxKind.FalseKeyword) return { type: 'boolean' };
      return { type: 'integer', format: 'int32' };
    }
    if (ts.isArrayTypeNode(node)) return { type: 'array', items: this.type(node.elementType, prop) };
    if (ts.isUnionTypeNode(node)) {
      const kinds = node.types.map((t) => t.kind).sort();
      if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
        if (!this.seen.has(INT_OR_STRING)) {
          this.seen.add(INT_OR_STRING);
          this.schemas[INT_OR_STRING] = SPECIAL_COMPONENTS[INT_OR_STRING];
        }
        return this.ref(INT_OR_STRING);
      }
      if (node.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) return { type: 'string' };
      throw new Error(`unsupported union type ${node.getText()} (property ${prop})`);
    }
    if (ts.isTypeLiteralNode(node)) {
      const index = node.members.find(ts.isIndexSignatureDeclaration);
      if (index?.type) return { type: 'object', additionalProperties: this.type(index.type, prop) };
      return { type: 'object' };
    }
    if (ts.isTypeReferenceNode(node)) {
      // `Array<T>` (noLib: the global Array is not resolved, and need not be).
      if (ts.isIdentifier(node.typeName) && node.typeName.text === 'Array' && node.typeArguments?.length === 1) {
        return { type: 'array', items: this.type(node.typeArguments[0], prop) };
      }
      let sym = this.checker.getSymbolAtLocation(node.typeName);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = this.checker.getAliasedSymbol(sym);
      const decl = sym?.declarations?.find((d) => ts.isInterfaceDeclaration(d) || ts.isTypeAliasDeclaration(d));
      if (!decl) throw new Error(`cannot resolve type ${node.getText()} (property ${prop})`);
      return this.ref(this.enqueue(decl));
    }
    throw new Error(`unsupported type ${node.getText()} (property ${prop})`);
  }
}

/** All component schemas of the served kinds' closure, keyed by Kubernetes' definition names. */
export function generateSchemas(dir: string = typesDir()): Record<string, Schema> {
  return new Generator(dir).run();
}

/** The generated module's exact text (what scripts/gen-openapi.ts writes and the staleness test compares). */
export function generatedJson(dir?: string): string {
  return JSON.stringify(generateSchemas(dir), null, 1) + '\n';
}
