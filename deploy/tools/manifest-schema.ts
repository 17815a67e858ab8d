import { join, resolve } from 'node:path';
import ts from 'typescript';
import type { Manifest } from './kustomize';
import { repositoryRoot } from './root';

/** Where each apiVersion's models live (kubernetes-models and its Argo Rollouts and Prometheus operator siblings). */
const MODEL_PACKAGES: Record<string, string> = {
  v1: 'kubernetes-models/v1',
  'apps/v1': 'kubernetes-models/apps/v1',
  'batch/v1': 'kubernetes-models/batch/v1',
  'policy/v1': 'kubernetes-models/policy/v1',
  'autoscaling/v2': 'kubernetes-models/autoscaling/v2',
  'networking.k8s.io/v1': 'kubernetes-models/networking.k8s.io/v1',
  'argoproj.io/v1alpha1': '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1',
  'monitoring.coreos.com/v1': '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1',
};

const ROOT = repositoryRoot();

export interface Problem {
  /** `<source> Kind/name`. */
  where: string;
  message: string;
}

const describe = (source: string, manifest: Manifest) => `${source} ${manifest.kind}/${manifest.metadata?.name ?? '?'}`;

/**
 * Checks every manifest against its kind's schema, twice over:
 * - the models' own JSON-schema validation (`.validate()`): required fields, types,
 *   enums, formats;
 * - the models' TypeScript types, each manifest type-checked as an object literal of its
 *   kind: the schemas admit unknown fields (as the API server does, dropping them), the
 *   types' excess-property check does not, so `contianers:` or `readinesProbe:` fail too.
 * An apiVersion or kind without a model is a problem itself.
 */
export async function validateManifests(batches: { source: string; manifests: Manifest[] }[]): Promise<Problem[]> {
  const problems: Problem[] = [];
  const typed: { where: string; module: string; kind: string; manifest: Manifest }[] = [];
  for (const { source, manifests } of batches) {
    for (const manifest of manifests) {
      const where = describe(source, manifest);
      const module = MODEL_PACKAGES[manifest.apiVersion];
      const models = module ? ((await import(module)) as Record<string, unknown>) : undefined;
      const Model = models?.[manifest.kind] as (new (data: unknown) => { validate(): void }) | undefined;
      if (!Model) {
        problems.push({ where, message: `no schema for apiVersion ${manifest.apiVersion}, kind ${manifest.kind}` });
        continue;
      }
      try {
        new Model(manifest).validate();
      } catch (error) {
        problems.push({ where, message: (error as Error).message });
      }
      typed.push({ where, module, kind: manifest.kind, manifest });
    }
  }
  problems.push(...typeCheck(typed));
  return problems;
}

function typeCheck(entries: { where: string; module: string; kind: string; manifest: Manifest }[]): Problem[] {
  if (entries.length === 0) {
    return [];
  }
  // An ES module (.mts): the model packages export their types to `import` only.
  const fileName = join(ROOT, '__manifests__.mts');
  const starts: number[] = [];
  let source = '';
  entries.forEach((entry, index) => {
    source += `import type { I${entry.kind} as T${index} } from ${JSON.stringify(`${entry.module}/${entry.kind}`)};\n`;
  });
  entries.forEach((entry, index) => {
    starts.push(source.split('\n').length - 1);
    source += `export const m${index}: T${index} = ${JSON.stringify(entry.manifest, null, 1)};\n`;
  });
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (resolve(name) === fileName ? source : readFile(name));
  host.fileExists = (name) => resolve(name) === fileName || ts.sys.fileExists(name);
  host.getSourceFile = (name, language, ...rest) =>
    resolve(name) === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName)!;
  return [...program.getSemanticDiagnostics(file), ...program.getSyntacticDiagnostics(file)].map((diagnostic) => {
    const line = diagnostic.start === undefined ? 0 : file.getLineAndCharacterOfPosition(diagnostic.start).line;
    let index = starts.findIndex((start, i) => line >= start && (i === starts.length - 1 || line < starts[i + 1]));
    if (index < 0) {
      index = 0;
    }
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    // The innermost line names the field; the chain above it repeats the whole object.
    const lines = text.split('\n');
    const message = lines[lines.length - 1].trim().replace(/'"([^"]+)"'/g, "'$1'");
    const property = /^\s*"([^"]+)":/.exec(file.text.split('\n')[line] ?? '')?.[1];
    return { where: entries[index].where, message: property ? `${message} (at '${property}')` : message };
  });
}
