/**
 * Declares a configuration setting on a settings class: its environment variable, its command-line
 * flag, a default and a description. `loadSettings` reads them; class-validator decorators on the
 * same property say what a valid value is.
 */
import 'reflect-metadata';

export interface SettingSpec {
  /** Environment variable, e.g. NATS_URL. */
  readonly env: string;
  /** Command-line flag without dashes, e.g. nats-url. */
  readonly flag: string;
  readonly description: string;
  /**
   * Used when neither flag nor env is given; undefined = optional. A function derives it from the
   * settings read before this one (those of base classes come first).
   */
  readonly default?: SettingValue | ((read: Readonly<Record<string, unknown>>) => SettingValue | undefined);
  /** Value type: read from the property's design type when omitted. */
  readonly type?: 'string' | 'number' | 'boolean';
  /** A credential: its value is never printed (configuration errors say `<secret>`). */
  readonly secret?: boolean;
}

export type SettingValue = string | number | boolean;

export interface SettingDefinition extends SettingSpec {
  readonly property: string;
  readonly type: 'string' | 'number' | 'boolean';
}

const SETTINGS = Symbol('runnel:settings');

export function Setting(spec: SettingSpec): PropertyDecorator {
  return (target, property) => {
    const designType = Reflect.getMetadata('design:type', target, property);
    const type = spec.type ?? (designType === Number ? 'number' : designType === Boolean ? 'boolean' : 'string');
    const own: SettingDefinition[] = Reflect.getOwnMetadata(SETTINGS, target) ?? [];
    Reflect.defineMetadata(SETTINGS, [...own, { ...spec, property: String(property), type }], target);
  };
}

/** Settings of a class and its base classes, base first; a subclass may redeclare one (its default, say). */
export function settingsOf(cls: abstract new () => object): SettingDefinition[] {
  const chain: object[] = [];
  for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) chain.unshift(proto);
  const byProperty = new Map<string, SettingDefinition>();
  for (const proto of chain) {
    for (const def of (Reflect.getOwnMetadata(SETTINGS, proto) as SettingDefinition[] | undefined) ?? []) byProperty.set(def.property, def);
  }
  return [...byProperty.values()];
}
