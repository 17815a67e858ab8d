import { readYamlDocuments } from './kustomize';
import { evaluateExpression } from './analysis-expression';

/** The fields of an Argo Rollouts AnalysisTemplate that a Prometheus analysis reads. */
export interface AnalysisTemplate {
  kind: 'AnalysisTemplate';
  metadata: { name: string };
  spec: {
    args?: { name: string; value?: string }[];
    metrics: {
      name: string;
      failureLimit?: number;
      successCondition?: string;
      failureCondition?: string;
      provider: { prometheus?: { address: string; query: string } };
    }[];
  };
}

export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

export interface Measurement {
  metric: string;
  query: string;
  /** What Prometheus answered: one number per sample of a vector, or a scalar. */
  value?: number | number[];
  phase: Phase;
  message?: string;
}

export function loadAnalysisTemplate(path: string, name?: string): AnalysisTemplate {
  const template = (readYamlDocuments(path) as AnalysisTemplate[]).find(
    (document) => document?.kind === 'AnalysisTemplate' && (name === undefined || document.metadata.name === name),
  );
  if (!template) {
    throw new Error(`${path}: no AnalysisTemplate${name ? ` named ${name}` : ''}`);
  }
  return template;
}

/** The template's arguments: its own defaults, overridden by what the Rollout passes; every one must have a value. */
export function resolveArgs(template: AnalysisTemplate, passed: Record<string, string>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const arg of template.spec.args ?? []) {
    const value = passed[arg.name] ?? arg.value;
    if (value === undefined) {
      throw new Error(`AnalysisTemplate ${template.metadata.name}: argument ${arg.name} has no value`);
    }
    args[arg.name] = value;
  }
  const unknown = Object.keys(passed).filter((name) => !(name in args));
  if (unknown.length > 0) {
    throw new Error(`AnalysisTemplate ${template.metadata.name} takes no argument ${unknown.join(', ')}`);
  }
  return args;
}

/** `{{args.name}}` replaced as Argo Rollouts does; a placeholder without an argument is an error. */
export function substituteArgs(text: string, args: Record<string, string>): string {
  return text.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (_placeholder, name: string) => {
    if (!(name in args)) {
      throw new Error(`no argument ${name} for {{args.${name}}}`);
    }
    return args[name];
  });
}

/**
 * A measurement's phase from its conditions, by Argo Rollouts' rules: the failure
 * condition true → Failed; the success condition true → Successful; with both conditions
 * given and neither true → Inconclusive; with only one given, the other is its negation.
 * A condition that cannot be evaluated (e.g. `result[0]` of an empty vector) → Error.
 */
export function assess(metric: AnalysisTemplate['spec']['metrics'][number], value: number | number[]): Phase {
  const { successCondition, failureCondition } = metric;
  if (!successCondition && !failureCondition) {
    return 'Successful';
  }
  let success = successCondition ? evaluateExpression(successCondition, value) === true : false;
  let failure = failureCondition ? evaluateExpression(failureCondition, value) === true : false;
  if (!failureCondition) {
    failure = !success;
  } else if (!successCondition) {
    success = !failure;
  }
  if (failure) {
    return 'Failed';
  }
  return success ? 'Successful' : 'Inconclusive';
}

/** An instant query on Prometheus' HTTP API, answered as Argo's Prometheus provider reads it. */
export async function queryPrometheus(address: string, query: string): Promise<number | number[]> {
  const url = new URL('/api/v1/query', address);
  url.searchParams.set('query', query);
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data?: { resultType: string; result: unknown };
  };
  if (body.status !== 'success' || !body.data) {
    throw new Error(`Prometheus: ${body.error ?? response.status}`);
  }
  if (body.data.resultType === 'vector') {
    return (body.data.result as { value: [number, string] }[]).map((sample) => Number(sample.value[1]));
  }
  if (body.data.resultType === 'scalar') {
    return Number((body.data.result as [number, string])[1]);
  }
  throw new Error(`Prometheus answered a ${body.data.resultType}, which the analysis does not read`);
}

/** Every metric of the template measured once, with the given arguments. */
export async function runAnalysis(template: AnalysisTemplate, passed: Record<string, string>): Promise<Measurement[]> {
  const args = resolveArgs(template, passed);
  const measurements: Measurement[] = [];
  for (const metric of template.spec.metrics) {
    const prometheus = metric.provider.prometheus;
    if (!prometheus) {
      throw new Error(`metric ${metric.name}: only Prometheus metrics can be measured here`);
    }
    const query = substituteArgs(prometheus.query, args);
    try {
      const value = await queryPrometheus(substituteArgs(prometheus.address, args), query);
      measurements.push({ metric: metric.name, query, value, phase: assess(metric, value) });
    } catch (error) {
      measurements.push({ metric: metric.name, query, phase: 'Error', message: (error as Error).message });
    }
  }
  return measurements;
}

/**
 * What the Rollout does with one round of measurements: abort when a metric failed more
 * often than its failureLimit allows (Argo's default, and the template's, is 0: once),
 * promote when every metric succeeded, and otherwise (inconclusive, or a query that could
 * not be measured) pause for a person.
 */
export function decide(template: AnalysisTemplate, measurements: Measurement[]): 'promote' | 'abort' | 'pause' {
  const limit = (name: string) => template.spec.metrics.find((metric) => metric.name === name)?.failureLimit ?? 0;
  if (measurements.some((m) => m.phase === 'Failed' && limit(m.metric) < 1)) {
    return 'abort';
  }
  return measurements.every((m) => m.phase === 'Successful') ? 'promote' : 'pause';
}
