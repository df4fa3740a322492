// Which Ingresses this controller serves: those whose class (spec.ingressClassName, else the
// older kubernetes.io/ingress.class annotation) names an IngressClass whose spec.controller is
// this controller's name; and, while one of those classes is marked default, Ingresses that
// name no class at all (created before that class existed: admission gives new ones the
// default class).
import { INGRESS_CLASS_ANNOTATION, type KubeObject } from '@k8ts/api';

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const DEFAULT_CONTROLLER_NAME = 'k8ts.io/ingress-controller';

export interface ClassSelection {
  /** The names of the IngressClasses this controller handles. */
  names: Set<string>;
  /** Whether one of them is the cluster's default class. */
  hasDefault: boolean;
}

export function ownClasses(classes: readonly KubeObject[], controller: string): ClassSelection {
  const own = classes.filter((c) => (c as any).spec?.controller === controller);
  return {
    names: new Set(own.map((c) => c.metadata?.name ?? '')),
    hasDefault: own.some((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true'),
  };
}

/** The class an Ingress names, or undefined when it names none. */
export function classOf(ing: KubeObject): string | undefined {
  const name = (ing as any).spec?.ingressClassName;
  if (typeof name === 'string') return name;
  const annotation = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  return typeof annotation === 'string' ? annotation : undefined;
}

export function isServed(ing: KubeObject, sel: ClassSelection): boolean {
  const cls = classOf(ing);
  return cls === undefined ? sel.hasDefault : sel.names.has(cls);
}
