import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { applyPatch, type Operation } from 'fast-json-patch';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it. */
export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
};

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  resources?: string[];
  images?: { name: string; newName?: string; newTag?: string }[];
  patches?: { path: string; target: { kind: string; name: string } }[];
}

/** The kustomization fields this renderer implements; any other field is refused, not ignored. */
const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);
/** Kinds that live outside namespaces (of those a kustomization here could hold). */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

/**
 * Renders a kustomization directory the way `kustomize build` does, for the subset of
 * kustomize that deploy/k8s uses: `resources` (files and directories), `patches` of
 * JSON 6902 operations aimed at one kind and name, `images` (on containers of pod
 * templates and pods), and `namespace`. Transformers run in kustomize's order: patches,
 * namespace, images. Where kubectl is installed, the validation also compares this with
 * `kubectl kustomize` and fails on any difference.
 */
export function renderKustomization(directory: string): Manifest[] {
  const dir = resolve(directory);
  const kustomization = readYamlDocuments(join(dir, 'kustomization.yaml'))[0] as Kustomization;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0) {
    throw new Error(`${dir}/kustomization.yaml: unsupported field(s) ${unsupported.join(', ')}`);
  }
  let manifests: Manifest[] = [];
  for (const entry of kustomization.resources ?? []) {
    const path = join(dir, entry);
    manifests.push(
      ...(statSync(path).isDirectory() ? renderKustomization(path) : (readYamlDocuments(path) as Manifest[])),
    );
  }
  for (const manifest of manifests) {
    if (typeof manifest?.apiVersion !== 'string' || typeof manifest.kind !== 'string' || !manifest.metadata?.name) {
      throw new Error(`${dir}: a resource without apiVersion, kind or metadata.name: ${JSON.stringify(manifest)}`);
    }
  }
  for (const patch of kustomization.patches ?? []) {
    const operations = readYamlDocuments(join(dir, patch.path))[0] as Operation[];
    const targets = manifests.filter((m) => m.kind === patch.target.kind && m.metadata.name === patch.target.name);
    if (targets.length === 0) {
      throw new Error(`${dir}: patch ${patch.path} matches no ${patch.target.kind}/${patch.target.name}`);
    }
    manifests = manifests.map((m) =>
      targets.includes(m) ? (applyPatch(structuredClone(m), operations, true, false).newDocument as Manifest) : m,
    );
  }
  if (kustomization.namespace) {
    for (const manifest of manifests) {
      if (!CLUSTER_SCOPED.has(manifest.kind)) {
        manifest.metadata.namespace = kustomization.namespace;
      }
    }
  }
  for (const image of kustomization.images ?? []) {
    for (const manifest of manifests) {
      for (const container of containersOf(manifest)) {
        if (imageName(container.image) === image.name) {
          const tag = image.newTag ?? imageTag(container.image);
          container.image = `${image.newName ?? image.name}${tag ? `:${tag}` : ''}`;
        }
      }
    }
  }
  return manifests;
}

export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((document) => {
    if (document.errors.length > 0) {
      throw new Error(`${path}: ${document.errors[0].message}`);
    }
    return document.toJS();
  });
}

type Container = { image?: string };

/** Containers of a pod template (workloads, Jobs) or of a pod, wherever kustomize's image transformer looks. */
function containersOf(manifest: Manifest): Container[] {
  const spec = manifest.spec as ({ template?: { spec?: PodSpec } } & PodSpec) | undefined;
  const podSpecs = [spec?.template?.spec, manifest.kind === 'Pod' ? spec : undefined];
  return podSpecs.flatMap((pod) => [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]);
}
type PodSpec = { containers?: Container[]; initContainers?: Container[] };

function imageName(image: string | undefined): string | undefined {
  return image?.replace(/@.*$/, '').replace(/:[^:/]+$/, '');
}
function imageTag(image: string | undefined): string | undefined {
  return /:([^:/@]+)$/.exec(image ?? '')?.[1];
}
