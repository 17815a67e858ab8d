export interface ScrapeTarget {
  port: number;
  /** The pod-template hash a Rollout's pod would carry (the AnalysisTemplate selects by it). */
  podTemplateHash: string;
}

/**
 * One scrape job over the instances, every second. Each target gets the labels the
 * cluster's ServiceMonitor gives a pod's series (namespace, and rollouts_pod_template_hash
 * from the pod's label), so the AnalysisTemplate's queries run here unchanged.
 */
export function prometheusConfig(namespace: string, targets: ScrapeTarget[]): string {
  const staticConfigs = targets
    .map(
      (target) => `      - targets: ["127.0.0.1:${target.port}"]
        labels:
          namespace: ${namespace}
          rollouts_pod_template_hash: ${target.podTemplateHash}`,
    )
    .join('\n');
  return `global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: mall
    metrics_path: /metrics
    static_configs:
${staticConfigs}
`;
}
