export interface NginxRouting {
  prefix: string;
  stablePort: number;
  /** One nginx server per phase of the rehearsal: its port and the canary it routes to. */
  phases: { listenPort: number; canaryPort: number }[];
  /** Share of the requests without `X-Canary: true` that go to the canary, as the Rollout's setWeight. */
  weightPercent: number;
}

/**
 * nginx routing as ingress-nginx does for a canary Ingress with `canary-by-header:
 * X-Canary`, `canary-by-header-value: "true"` and `canary-weight`: the header with that
 * value always reaches the canary; every other request reaches it with the weight's
 * probability, drawn per request; the rest go to the stable pods. `X-Upstream` tells the
 * load generator who answered.
 */
export function nginxConfig({ prefix, stablePort, phases, weightPercent }: NginxRouting): string {
  const upstream = (name: string, port: number) =>
    `  upstream ${name} {\n    server 127.0.0.1:${port} max_fails=0;\n    keepalive 16;\n  }\n`;
  const maps = phases
    .map((_, i) => `  map $mall_to_canary $mall_pool_${i} {\n    yes canary_${i};\n    default stable;\n  }\n`)
    .join('');
  const servers = phases
    .map(
      ({ listenPort }, i) => `  server {
    listen 127.0.0.1:${listenPort};
    location / {
      proxy_pass http://$mall_pool_${i};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream off;
      proxy_read_timeout 35s;
      add_header X-Upstream $mall_pool_${i} always;
    }
  }
`,
    )
    .join('');
  return `# Written by the canary rehearsal; runs with -p ${prefix}
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events {
  worker_connections 1024;
}
http {
  access_log off;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;

${upstream('stable', stablePort)}${phases.map(({ canaryPort }, i) => upstream(`canary_${i}`, canaryPort)).join('')}
  split_clients "\${request_id}" $mall_weighted {
    ${weightPercent}% yes;
    * no;
  }
  map "$http_x_canary:$mall_weighted" $mall_to_canary {
    "~^true:" yes;
    "~:yes$" yes;
    default no;
  }
${maps}
${servers}}
`;
}
