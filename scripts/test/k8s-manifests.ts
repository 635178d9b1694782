// Reading deploy/k8s for the tests that check it (k8s.test.ts, registry.test.ts), with no cluster:
// an overlay rendered by `kubectl kustomize DIR` (which reads files only), or, where kubectl is
// missing, the files a kustomization lists with its generated ConfigMaps and nothing else (no
// patches, images or namespace).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { compiledCommand, readToolConfig, type BundleName } from '@supergraph-lab/config';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const K8S_DIR = path.join(ROOT, 'deploy', 'k8s');
export const OVERLAYS = ['dev', 'prod'] as const;

/** A Kubernetes object as the manifests hold it: typed as far as the checks read it. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  // the spec of each kind differs; the checks read what they need
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
}

/** Every object of a multi-document YAML text. */
export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

/** kubectl as the tools' configuration names it, if it can be run; else null. */
export function kubectl(): string | null {
  const bin = readToolConfig().kubectlBin;
  if (bin.includes('/')) {
    try {
      accessSync(bin, constants.X_OK);
      return bin;
    } catch {
      return null;
    }
  }
  const found = (process.env.PATH ?? '').split(':').find((dir) => {
    try {
      accessSync(path.join(dir, bin), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  return found ? path.join(found, bin) : null;
}

/** `kubectl kustomize DIR`: renders from files, contacts no cluster. */
export function kustomize(bin: string, dir: string): K8sObject[] {
  const result = spawnSync(bin, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr}`);
  return parseObjects(result.stdout);
}

interface Kustomization {
  resources?: string[];
  configMapGenerator?: { name: string; behavior?: 'create' | 'merge'; literals?: string[] }[];
}

/**
 * The objects of the kustomization in `dir` without kubectl: its resources (a folder being
 * another kustomization), then its ConfigMaps from their literals, merged into the ones below.
 */
export function kustomizationFiles(dir: string): K8sObject[] {
  const kustomization = parseObjects(
    readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8'),
  )[0] as unknown as Kustomization;
  const objects = (kustomization.resources ?? []).flatMap((resource) => {
    const target = path.join(dir, resource);
    return resource.endsWith('.yaml') ? parseObjects(readFileSync(target, 'utf8')) : kustomizationFiles(target);
  });
  for (const generator of kustomization.configMapGenerator ?? []) {
    const data = Object.fromEntries(
      (generator.literals ?? []).map((literal) => [
        literal.slice(0, literal.indexOf('=')),
        literal.slice(literal.indexOf('=') + 1),
      ]),
    );
    const existing = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === generator.name);
    if (generator.behavior === 'merge' && existing) existing.data = { ...existing.data, ...data };
    else objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  return objects;
}

/** The pod template's spec of a Deployment, StatefulSet or Job. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podSpec(object: K8sObject): any {
  return object.spec?.template?.spec;
}

/** The container of `object` that runs one of the image's bundles, and which; undefined for another image's. */
export function bundleContainer(
  object: K8sObject,
  bundles: readonly BundleName[],
): { container: Container; bundle: BundleName } | undefined {
  for (const container of (podSpec(object)?.containers ?? []) as Container[]) {
    const bundle = bundles.find((name) => container.command?.join(' ') === compiledCommand(name).join(' '));
    if (bundle) return { container, bundle };
  }
  return undefined;
}

/** The one ConfigMap the services read, by the name it is generated from (kubectl adds a hash). */
export function serviceConfigMap(objects: K8sObject[]): K8sObject {
  const found = objects.filter(
    (object) => object.kind === 'ConfigMap' && /^supergraph-lab(-[a-z0-9]{10})?$/.test(object.metadata.name),
  );
  if (found.length !== 1) throw new Error(`expected one ConfigMap supergraph-lab, found ${found.length}`);
  return found[0]!;
}
