// `npm run k8s:validate`: renders deploy/k8s (the base and each overlay), checks every
// manifest against the Kubernetes, Argo Rollouts and Prometheus operator schemas, compares
// the rendering with `kubectl kustomize` where kubectl is installed, and checks the GitHub
// Actions workflow against its schema. Exits 1 on any problem, naming each.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderKustomization, type Manifest } from './kustomize';
import { validateManifests, type Problem } from './manifest-schema';
import { validateWorkflowFile } from './workflow-schema';
import { repositoryRoot } from './root';

const ROOT = repositoryRoot();
export const KUSTOMIZATIONS = ['deploy/k8s/base', 'deploy/k8s/overlays/staging', 'deploy/k8s/overlays/production'];
const WORKFLOWS = ['.github/workflows/ci.yml'];

/** `kubectl kustomize <dir>`, or undefined when kubectl is not installed. */
function kubectlKustomize(dir: string): Manifest[] | undefined {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (result.error) {
    return undefined;
  }
  if (result.status !== 0) {
    throw new Error(`kubectl kustomize ${dir} failed:\n${result.stderr}`);
  }
  return parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest);
}

/** JSON with sorted keys: equal for equal documents, whichever order their keys came in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

const key = (m: Manifest) => `${m.apiVersion} ${m.kind} ${m.metadata.namespace ?? ''}/${m.metadata.name}`;

/** Differences between this renderer's output and kubectl's (order aside). */
export function compareRenderings(ours: Manifest[], theirs: Manifest[]): string[] {
  const byKey = new Map(theirs.map((m) => [key(m), m]));
  const differences: string[] = [];
  for (const manifest of ours) {
    const other = byKey.get(key(manifest));
    if (!other) {
      differences.push(`${key(manifest)}: only in this rendering`);
    } else if (canonical(manifest) !== canonical(other)) {
      differences.push(`${key(manifest)}: differs from kubectl's`);
    }
    byKey.delete(key(manifest));
  }
  differences.push(...[...byKey.keys()].map((k) => `${k}: only in kubectl's rendering`));
  return differences;
}

export async function validateRepository(): Promise<{ problems: Problem[]; report: string[] }> {
  const problems: Problem[] = [];
  const report: string[] = [];
  const batches = KUSTOMIZATIONS.map((dir) => ({ source: dir, manifests: renderKustomization(join(ROOT, dir)) }));
  for (const batch of batches) {
    const theirs = kubectlKustomize(join(ROOT, batch.source));
    if (theirs) {
      for (const difference of compareRenderings(batch.manifests, theirs)) {
        problems.push({ where: batch.source, message: `rendering: ${difference}` });
      }
    }
    report.push(
      `${batch.source}: ${batch.manifests.length} manifests (${batch.manifests.map((m) => m.kind).join(', ')})` +
        (theirs ? '; same as kubectl kustomize' : '; kubectl not installed, not compared'),
    );
  }
  problems.push(...(await validateManifests(batches)));
  for (const workflow of WORKFLOWS) {
    const path = join(ROOT, workflow);
    if (!existsSync(path)) {
      problems.push({ where: workflow, message: 'missing' });
      continue;
    }
    problems.push(...validateWorkflowFile(relative(ROOT, path), readFileSync(path, 'utf8')));
    report.push(`${workflow}: checked against the GitHub Actions workflow schema`);
  }
  return { problems, report };
}

if (require.main === module) {
  validateRepository().then(
    ({ problems, report }) => {
      report.forEach((line) => console.log(line));
      if (problems.length > 0) {
        problems.forEach((problem) => console.error(`${problem.where}: ${problem.message}`));
        console.error(`${problems.length} problem(s)`);
        process.exit(1);
      }
      console.log('All manifests and workflows valid');
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
