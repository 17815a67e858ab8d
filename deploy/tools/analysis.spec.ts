import { join } from 'node:path';
import { readYamlDocuments } from './kustomize';
import { assess, decide, loadAnalysisTemplate, resolveArgs, substituteArgs, type Measurement } from './analysis';
import { evaluateExpression } from './analysis-expression';

const PRODUCTION = join(__dirname, '../k8s/overlays/production');
const template = () => loadAnalysisTemplate(join(PRODUCTION, 'analysis-template.yaml'), 'mall-canary');

describe('the conditions of an AnalysisTemplate (expr subset)', () => {
  it.each([
    ['result[0] <= 1.5', [1.5], true],
    ['result[0] <= 1.5', [1.51], false],
    ['result[0] > 1.5', [NaN], false],
    ['result[0] <= 1.5', [NaN], false],
    ['isNaN(result[0]) || result[0] >= 0.8', [NaN], true],
    ['len(result) == 1 and not (result[0] < 0.8)', [0.9], true],
    ['result * 2 - 1 == 3', 2, true],
  ] as const)('%s with %p is %p', (expression, result, expected) => {
    expect(evaluateExpression(expression, result as number | number[])).toBe(expected);
  });

  it('refuses what it does not implement, and an index past the vector', () => {
    expect(() => evaluateExpression('result[0] in [1, 2]', [1])).toThrow(SyntaxError);
    expect(() => evaluateExpression('asInt(result)', 1)).toThrow(SyntaxError);
    expect(() => evaluateExpression('result[0] <= 1', [])).toThrow(RangeError);
  });
});

describe("Argo Rollouts' measurement rules", () => {
  const metric = { name: 'm', provider: {} };
  it('both conditions: the failure condition wins, neither true is inconclusive', () => {
    const both = { ...metric, successCondition: 'result[0] <= 1.5', failureCondition: 'result[0] > 1.5' };
    expect(assess(both, [1])).toBe('Successful');
    expect(assess(both, [2])).toBe('Failed');
    expect(assess(both, [NaN])).toBe('Inconclusive');
  });
  it('one condition: the other is its negation', () => {
    expect(assess({ ...metric, successCondition: 'result[0] <= 1.5' }, [NaN])).toBe('Failed');
    expect(assess({ ...metric, failureCondition: 'result[0] > 1.5' }, [NaN])).toBe('Successful');
  });
});

describe('the production AnalysisTemplate', () => {
  it('gets every argument without a default from the Rollout, and nothing else', () => {
    const rollout = readYamlDocuments(join(PRODUCTION, 'rollout.yaml'))[0] as {
      spec: { strategy: { canary: { analysis: { templates: { templateName: string }[]; args: { name: string }[] } } } };
    };
    const analysis = rollout.spec.strategy.canary.analysis;
    expect(analysis.templates).toEqual([{ templateName: 'mall-canary' }]);
    const needed = (template().spec.args ?? []).filter((arg) => arg.value === undefined).map((arg) => arg.name);
    expect(analysis.args.map((arg) => arg.name).sort()).toEqual(needed.sort());
  });

  it('leaves no placeholder in any query once those arguments are given', () => {
    const args = resolveArgs(template(), { namespace: 'shop', 'canary-hash': 'c1', 'stable-hash': 's1' });
    for (const metric of template().spec.metrics) {
      const query = substituteArgs(metric.provider.prometheus!.query, args);
      expect(query).not.toContain('{{');
      expect(query).toContain('namespace="shop"');
    }
    expect(() => resolveArgs(template(), { namespace: 'shop' })).toThrow(/canary-hash has no value/);
    expect(() => substituteArgs('{{args.nope}}', args)).toThrow(/no argument nope/);
  });

  it('compares the 5xx ratios at 1.5x and watches orders created and payment timeouts', () => {
    const metrics = template().spec.metrics;
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    const errors = byName['error-ratio-vs-stable'];
    expect(errors.provider.prometheus!.query).toContain('status_code=~"5.."');
    expect(assess(errors, [1.5])).toBe('Successful');
    expect(assess(errors, [1.6])).toBe('Failed');
    expect(byName['orders-created-vs-stable'].provider.prometheus!.query).toContain('orders_created_total');
    expect(byName['payment-timeouts'].provider.prometheus!.query).toContain(
      'orders_cancelled_total{namespace="{{args.namespace}}",reason="payment_timeout"}',
    );
  });

  it('aborts on one failed measurement, promotes when all succeed, pauses otherwise', () => {
    const measured = (phases: Measurement['phase'][]): Measurement[] =>
      template().spec.metrics.map((m, i) => ({ metric: m.name, query: '', phase: phases[i] }));
    expect(decide(template(), measured(['Successful', 'Successful', 'Successful']))).toBe('promote');
    expect(decide(template(), measured(['Successful', 'Failed', 'Successful']))).toBe('abort');
    expect(decide(template(), measured(['Inconclusive', 'Successful', 'Successful']))).toBe('pause');
  });
});
