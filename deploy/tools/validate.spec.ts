import { join } from 'node:path';
import { renderKustomization, type Manifest } from './kustomize';
import { validateManifests } from './manifest-schema';
import { compareRenderings, KUSTOMIZATIONS, validateRepository } from './validate';
import { validateWorkflowFile } from './workflow-schema';

const ROOT = join(__dirname, '../..');
const production = () => renderKustomization(join(ROOT, 'deploy/k8s/overlays/production'));
const find = (manifests: Manifest[], kind: string) => manifests.find((m) => m.kind === kind)!;
type PodTemplate = {
  spec: { template: { spec: Record<string, unknown> & { containers: Record<string, unknown>[] } } };
};

describe('k8s manifest validation', () => {
  // The TypeScript check of a whole overlay takes a few seconds on a busy machine.
  jest.setTimeout(120_000);

  it('passes the repository as it is: base, staging and production, and the workflow', async () => {
    const { problems, report } = await validateRepository();
    expect(problems).toEqual([]);
    expect(report).toHaveLength(KUSTOMIZATIONS.length + 1);
  });

  it('fails a misspelt field the API server would silently drop (contianers, readinesProbe)', async () => {
    const manifests = production();
    const pod = (find(manifests, 'Deployment') as unknown as PodTemplate).spec.template.spec;
    pod.contianers = pod.containers;
    delete (pod as Partial<typeof pod>).containers;
    const job = (find(manifests, 'Job') as unknown as PodTemplate).spec.template.spec;
    job.containers[0].readinesProbe = job.containers[0].readinessProbe ?? {};
    const problems = await validateManifests([{ source: 'mutated', manifests }]);
    const messages = problems.map((p) => `${p.where}: ${p.message}`).join('\n');
    expect(messages).toMatch(/Deployment\/mall: .*required property containers/);
    expect(messages).toMatch(/Deployment\/mall: .*'contianers'/);
    expect(messages).toMatch(/Job\/mall-migrate: .*'readinesProbe'/);
  });

  it('fails a wrong type, and a typo inside the Argo Rollouts and Prometheus operator kinds', async () => {
    const manifests = production();
    (find(manifests, 'HorizontalPodAutoscaler').spec as Record<string, unknown>).maxReplicas = 'twelve';
    const canary = ((find(manifests, 'Rollout').spec as Record<string, unknown>).strategy as Record<string, never>)
      .canary as Record<string, unknown>;
    canary.stpes = canary.steps;
    delete canary.steps;
    (find(manifests, 'ServiceMonitor').spec as Record<string, unknown>).endpoint = [];
    const problems = await validateManifests([{ source: 'mutated', manifests }]);
    const messages = problems.map((p) => `${p.where}: ${p.message}`).join('\n');
    expect(messages).toMatch(/HorizontalPodAutoscaler\/mall: .*maxReplicas must be integer/);
    expect(messages).toMatch(/Rollout\/mall: .*'stpes'/);
    expect(messages).toMatch(/ServiceMonitor\/mall: .*'endpoint'/);
  });

  it('fails a kind it has no schema for', async () => {
    const manifests: Manifest[] = [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }];
    expect(await validateManifests([{ source: 'x', manifests }])).toEqual([
      { where: 'x Widget/w', message: 'no schema for apiVersion example.com/v1, kind Widget' },
    ]);
  });

  it('reports where its rendering and kubectl kustomize differ', () => {
    const ours = production();
    const theirs = structuredClone(ours);
    (find(theirs, 'ConfigMap').data as Record<string, string>).LOG_LEVEL = 'warn';
    theirs.pop();
    expect(compareRenderings(ours, theirs)).toEqual([
      "v1 ConfigMap mall-production/mall-config: differs from kubectl's",
      `${ours.at(-1)!.apiVersion} ${ours.at(-1)!.kind} mall-production/${ours.at(-1)!.metadata.name}: only in this rendering`,
    ]);
  });

  it('fails a workflow with a misspelt key', () => {
    const workflow = 'name: ci\non: push\njobs:\n  build:\n    runs_on: ubuntu-latest\n    steps:\n      - run: echo\n';
    expect(validateWorkflowFile('ci.yml', workflow).length).toBeGreaterThan(0);
    expect(validateWorkflowFile('ci.yml', workflow.replace('runs_on', 'runs-on'))).toEqual([]);
  });
});
